// toCode(fn, { sourceMap: true }): a version 3 source map from the converted code to the function's source.
import { expect } from 'chai';
import { decodeMappings } from '../../lib/codegen/source_map.js';
import { toCode } from '../../lib/index.js';
import { huberLoss } from '../fixtures/examples.js';

/** The map's segments as [generatedLine, generatedColumn, originalLine, originalColumn], 0-based lines. */
const decode = (mappings: string): number[][] =>
  decodeMappings(mappings).map((m) => [m.generatedLine - 1, m.generatedColumn, m.originalLine - 1, m.originalColumn]);

describe('source maps for tools', () => {
  it('toCode(fn, { sourceMap: true }) maps converted lines to the lines of the original', () => {
    const { code, map } = toCode(huberLoss, { sourceMap: true });
    expect(code).to.equal(toCode(huberLoss));
    expect(map.version).to.equal(3);
    expect(map.sourcesContent[0]).to.equal(huberLoss.toString());
    const original = huberLoss.toString().split('\n');
    const generated = code.split('\n');
    const segments = decode(map.mappings);
    // Every segment decodes: as many as the string holds.
    expect(segments).to.have.length(map.mappings.split(/[;,]/).filter(Boolean).length);
    // The staged if's test comes from the original's `if (tf.abs(a) <= delta)`.
    const testLine = generated.findIndex((line) => line.includes('ag__.ifStmt('));
    const fromTest = segments
      .filter(([line]) => line === testLine)
      .map(([, , originalLine]) => original[originalLine!]);
    expect(fromTest.some((line) => line!.includes('if (tf.abs(a) <= delta)'))).to.equal(true);
    // The else branch's body comes from the original's else line.
    const elseLine = generated.findIndex((line) => line.includes('loss = ag__.mul(delta'));
    const [, column, originalLine, originalColumn] = segments.find(([line]) => line === elseLine)!;
    expect(original[originalLine!]).to.contain('loss = delta * (tf.abs(a) - delta / 2)');
    expect(generated[elseLine]!.slice(column!, column! + 4)).to.equal('loss');
    expect(original[originalLine!]!.slice(originalColumn!, originalColumn! + 4)).to.equal('loss');
  });

  it('rejects a sourceMap option that is not a boolean', () => {
    expect(() => toCode(huberLoss, { sourceMap: 'yes' } as never)).to.throw(TypeError, 'sourceMap');
  });
});
