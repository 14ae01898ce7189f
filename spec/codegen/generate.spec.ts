// Code generation keeps a map from generated positions back to the user's source; the namer never reuses a name.
import { expect } from 'chai';
import { Namer } from '../../lib/codegen/namer.js';
import { generate, originalPosition } from '../../lib/codegen/generate.js';
import { convertFunction } from '../../lib/converters/index.js';
import { parseFunction, toSourcePosition } from '../../lib/parse/parse_function.js';
import { huberLoss } from '../fixtures/examples.js';

describe('codegen', () => {
  it('maps the staged conditional back to the line of the original if', () => {
    const parsed = parseFunction(huberLoss);
    const { code, mappings } = generate(convertFunction(parsed).stagedNode());
    const lines = code.split('\n');
    const line = lines.findIndex((text) => text.includes('ag__.ifStmt(')) + 1;
    const column = lines[line - 1]!.indexOf('ag__.lessEqual');
    const original = originalPosition(mappings, line, column);
    expect(original).to.not.equal(undefined);
    const position = toSourcePosition(parsed, original!);
    const sourceLine = parsed.source.split('\n')[position.line - 1]!;
    expect(sourceLine).to.contain('if (tf.abs(a) <= delta)');
  });

  it('the namer avoids names in use and numbers repeats', () => {
    const namer = new Namer(['if_body', 'x']);
    expect(namer.fresh('if_body')).to.equal('if_body_1');
    expect(namer.fresh('if_body')).to.equal('if_body_2');
    expect(namer.fresh('loop_body')).to.equal('loop_body');
    expect(namer.fresh('x')).to.equal('x_1');
  });
});
