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

/**
 * Statements, nested at most `depth` deep, inside the loops labeled `labels` (outermost first). Loops are
 * bounded, by a literal or by a parameter, and count before any jump, so a continue cannot make them spin.
 * A loop bounded by a literal is not staged, so nothing inside it jumps out of it on a tensor condition
 * (an error, as in AutoGraph): it gets no labels, and no returns when `returns` is false.
 */
function statements(depth: number, labels: string[] = [], returns = true): fc.Arbitrary<string> {
  const jumps: fc.Arbitrary<string>[] = [
    ...(returns ? [condition.map((c) => `if (${c}) return [a, b, c];`)] : []),
    ...(labels.length === 0
      ? []
      : [
          fc
            .tuple(condition, fc.constantFrom('break', 'continue'), fc.constantFrom(...labels))
            .map(([c, jump, label]) => `if (${c}) ${jump} ${label};`),
          condition.map((c) => `if (${c}) continue;`),
        ]),
  ];
  const simple = fc.oneof(
    assignment,
    fc
      .tuple(fc.constantFrom(...VARS), condition, expression, expression)
      .map(([v, c, t, f]) => `${v} = (${c}) ? ${t} : ${f};`),
  );
  const line =
    jumps.length === 0
      ? simple
      : fc.oneof({ weight: 4, arbitrary: simple }, { weight: 1, arbitrary: fc.oneof(...jumps) });
  if (depth === 0) return fc.array(line, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
  const inner = statements(depth - 1, labels, returns);
  const label = `L${depth}`;
  const loopBody = statements(depth - 1, [...labels, label], returns);
  const plainLoopBody = statements(depth - 1, [], false);
  const compound = fc.oneof(
    line,
    fc.tuple(condition, inner).map(([c, s]) => `if (${c}) {\n${s}\n}`),
    fc.tuple(condition, inner, inner).map(([c, s, t]) => `if (${c}) {\n${s}\n} else {\n${t}\n}`),
    fc
      .oneof(
        fc.tuple(fc.constantFrom('x', 'y'), loopBody, fc.boolean()),
        // No early break either: a break on a tensor condition cannot leave a loop that is not staged.
        fc.tuple(fc.constant('3'), plainLoopBody, fc.constant(false)),
      )
      .map(
        ([bound, s, early]) =>
          `${label}: for (let i${depth} = 0; i${depth} < ${bound} && i${depth} < 4; i${depth}++) {\n${s}\n${early ? `if (a > 20) break;` : ''}\n}`,
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
    // A while loop and a do-while loop with their own counters, bounded by a parameter.
    fc
      .tuple(fc.constantFrom('x', 'y'), loopBody)
      .map(
        ([bound, s]) =>
          `{\nlet w${depth} = 0;\n${label}: while (w${depth} < ${bound} && w${depth} < 3) {\nw${depth} = w${depth} + 1;\n${s}\n}\n}`,
      ),
    fc
      .tuple(fc.constantFrom('x', 'y'), loopBody)
      .map(
        ([bound, s]) =>
          `{\nlet d${depth} = 0;\n${label}: do {\nd${depth} = d${depth} + 1;\n${s}\n} while (d${depth} < ${bound} && d${depth} < 3);\n}`,
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
            const result = await converted(tx, ty);
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
