// toCode(fn, { sourceMap: true }): a version 3 source map from the converted code to the function's source.
import { expect } from 'chai';
import { toCode } from '../../lib/index.js';
import { huberLoss } from '../fixtures/examples.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a mappings string into [generatedLine, generatedColumn, originalLine, originalColumn], 0-based. */
function decode(mappings: string): number[][] {
  const out: number[][] = [];
  let [originalLine, originalColumn] = [0, 0];
  mappings.split(';').forEach((line, generatedLine) => {
    let generatedColumn = 0;
    for (const segment of line.split(',').filter(Boolean)) {
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        shift += 5;
        if (!(digit & 32)) {
          values.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      generatedColumn += values[0]!;
      originalLine += values[2]!;
      originalColumn += values[3]!;
      out.push([generatedLine, generatedColumn, originalLine, originalColumn]);
    }
  });
  return out;
}

describe('source maps for tools', () => {
  it('toCode(fn, { sourceMap: true }) maps converted lines to the lines of the original', () => {
    const { code, map } = toCode(huberLoss, { sourceMap: true });
    expect(code).to.equal(toCode(huberLoss));
    expect(map.version).to.equal(3);
    expect(map.sourcesContent[0]).to.equal(huberLoss.toString());
    const original = huberLoss.toString().split('\n');
    const generated = code.split('\n');
    const segments = decode(map.mappings);
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
