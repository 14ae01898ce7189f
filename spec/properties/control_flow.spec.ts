// Property: random small programs in the supported subset agree with their originals once converted,
// on plain numbers and on int32 tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import fc from 'fast-check';
import { toGraph } from '../../lib/index.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';

const VARS = ['a', 'b', 'c'];

/** Integer expressions over the variables and parameters; kept small so int32 never overflows. */
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VARS, 'x', 'y'),
    fc.integer({ min: -3, max: 5 }).map(String),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-'), tie('expr')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('expr').map((e) => `(${e} % 7)`),
    tie('expr').map((e) => `Math.abs(${e})`),
  ),
})).expr;

const comparison = fc
  .tuple(expression, fc.constantFrom('<', '<=', '>', '>=', '==', '!='), expression)
  .map(([l, op, r]) => `${l} ${op} ${r}`);
const condition: fc.Arbitrary<string> = fc.oneof(
  comparison,
  fc.tuple(comparison, fc.constantFrom('&&', '||'), comparison).map(([l, op, r]) => `(${l}) ${op} (${r})`),
  comparison.map((c) => `!(${c})`),
);

const assignment = fc
  .tuple(fc.constantFrom(...VARS), fc.constantFrom('=', '+=', '-='), expression)
  .map(([v, op, e]) => `${v} ${op} ${e};`);

/** Statements, nested at most `depth` deep; loops are bounded, by a literal or by a parameter. */
function statements(depth: number): fc.Arbitrary<string> {
  const simple = fc.oneof(
    assignment,
    fc
      .tuple(fc.constantFrom(...VARS), condition, expression, expression)
      .map(([v, c, t, f]) => `${v} = (${c}) ? ${t} : ${f};`),
  );
  if (depth === 0) return fc.array(simple, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
  const inner = statements(depth - 1);
  const compound = fc.oneof(
    simple,
    fc.tuple(condition, inner).map(([c, s]) => `if (${c}) {\n${s}\n}`),
    fc.tuple(condition, inner, inner).map(([c, s, t]) => `if (${c}) {\n${s}\n} else {\n${t}\n}`),
    fc
      .tuple(fc.constantFrom('x', 'y', '3'), inner, fc.boolean())
      .map(
        ([bound, s, early]) =>
          `for (let i${depth} = 0; i${depth} < ${bound} && i${depth} < 4; i${depth}++) {\n${s}\n${early && bound !== '3' ? `if (a > 20) break;` : ''}\n}`,
      ),
    // A switch on an expression, with fallthrough (a case without break) and a default anywhere.
    fc
      .tuple(
        expression,
        fc.array(fc.tuple(fc.integer({ min: -2, max: 3 }), inner, fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.nat(3),
        inner,
      )
      .map(([discriminant, cases, defaultAt, fallback]) => {
        const clauses = cases.map(([value, body, breaks]) => `case ${value}:\n${body}\n${breaks ? 'break;' : ''}`);
        clauses.splice(Math.min(defaultAt, clauses.length), 0, `default:\n${fallback}\nbreak;`);
        return `switch (${discriminant} % 4) {\n${clauses.join('\n')}\n}`;
      }),
    // A while loop with its own counter, bounded by a parameter.
    fc
      .tuple(fc.constantFrom('x', 'y'), inner)
      .map(
        ([bound, s]) =>
          `{\nlet w${depth} = 0;\nwhile (w${depth} < ${bound} && w${depth} < 3) {\nw${depth} = w${depth} + 1;\n${s}\n}\n}`,
      ),
  );
  return fc.array(compound, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
}

const program = statements(2).map(
  (body) => `function generated(x, y) {\nlet a = 0, b = 1, c = 2;\n${body}\nreturn [a, b, c];\n}`,
);

describeWithBackends('property: converted programs agree with their originals', (backend) => {
  it('on plain numbers and on int32 tensors', async function () {
    this.timeout(300_000);
    await fc.assert(
      fc.asyncProperty(
        program,
        fc.integer({ min: -3, max: 5 }),
        fc.integer({ min: -3, max: 5 }),
        async (source, x, y) => {
          const fn = new Function(`return (${source});`)() as (x: unknown, y: unknown) => number[];
          const expected = fn(x, y);
          fc.pre(expected.every((v) => Math.abs(v) < 1e6));
          const converted = toGraph(fn);
          expect(await converted(x, y), `plain:\n${source}`).to.deep.equal(expected);
          const [tx, ty] = [tf.scalar(x, 'int32'), tf.scalar(y, 'int32')];
          try {
            const result = (await converted(tx, ty)) as unknown[];
            const values = await Promise.all(result.map((item) => valueOf(item, [tx, ty])));
            expect(values, `tensors (x = ${x}, y = ${y}):\n${source}`).to.deep.equal(
              expected.map((v) => (Object.is(v, -0) ? 0 : v)),
            );
          } finally {
            tf.dispose([tx, ty]);
          }
        },
      ),
      { numRuns: backend === 'webgpu' ? 25 : 80, seed: 20261125 },
    );
  });
});
