// Property: random programs that combine return, break and continue with try, catch and finally (nested up
// to three deep, with values that throw) agree with their originals once converted, on plain numbers.
import { expect } from 'chai';
import fc from 'fast-check';
import { toGraph } from '../../lib/index.js';

const small = fc.integer({ min: -2, max: 4 });
const variable = fc.constantFrom('a', 'b');
/** A value that may throw: `check` throws on values above 3, as a helper that validates its input would. */
const value = fc.oneof(
  variable,
  small.map(String),
  fc.tuple(variable, small).map(([v, k]) => `${v} + ${k}`),
  fc.tuple(variable, small).map(([v, k]) => `check(${v} + ${k})`),
);
const condition = fc
  .tuple(fc.constantFrom('a', 'b', 'x'), fc.constantFrom('<', '>', '=='), small)
  .map(([v, op, k]) => `${v} ${op} ${k}`);

/**
 * Statements nested `depth` deep; `inLoop` allows break and continue, `returns` allows return. A return
 * in a finally block keeps the whole function as written, so finally blocks mostly have none.
 */
function statements(depth: number, inLoop: boolean, returns = true): fc.Arbitrary<string> {
  const returning = [
    { weight: 2, arbitrary: value.map((e) => `return ${e};`) },
    { weight: 2, arbitrary: fc.tuple(condition, value).map(([c, e]) => `if (${c}) return ${e};`) },
  ];
  const line = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(variable, value).map(([v, e]) => `${v} = ${e};`) },
    ...(returns ? returning : []),
    { weight: 1, arbitrary: condition.map((c) => `if (${c}) throw new Error("thrown at " + a);`) },
    ...(inLoop
      ? [
          {
            weight: 2,
            arbitrary: fc.tuple(condition, fc.constantFrom('break', 'continue')).map(([c, j]) => `if (${c}) ${j};`),
          },
        ]
      : []),
  );
  const block = (inner: fc.Arbitrary<string>) =>
    fc.array(inner, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n'));
  if (depth === 0) return block(line);
  const inner = statements(depth - 1, inLoop, returns);
  const cleanup = fc.oneof(
    { weight: 4, arbitrary: statements(depth - 1, inLoop, false) },
    { weight: 1, arbitrary: inner },
  );
  const handler = fc.oneof(
    inner.map((s) => `catch (e) {\n${s}\n}`),
    inner.map((s) => `catch {\n${s}\n}`),
    // The caught error's message, as a value: `a` becomes its length.
    fc.constant('catch (e) {\na = e.message.length;\n}'),
  );
  const tryStatement = fc.oneof(
    fc.tuple(inner, handler).map(([s, h]) => `try {\n${s}\n} ${h}`),
    fc.tuple(inner, cleanup).map(([s, f]) => `try {\n${s}\n} finally {\n${f}\n}`),
    fc.tuple(inner, handler, cleanup).map(([s, h, f]) => `try {\n${s}\n} ${h} finally {\n${f}\n}`),
  );
  const compound = fc.oneof(
    { weight: 2, arbitrary: line },
    { weight: 3, arbitrary: tryStatement },
    { weight: 1, arbitrary: fc.tuple(condition, inner).map(([c, s]) => `if (${c}) {\n${s}\n}`) },
    {
      weight: 1,
      arbitrary: statements(depth - 1, true, returns).map(
        (s) => `for (let i${depth} = 0; i${depth} < 3; i${depth}++) {\na = a + 1;\n${s}\n}`,
      ),
    },
  );
  return block(compound);
}

const program = statements(3, false).map(
  (body) =>
    `function generated(x) {\n` +
    `function check(v) {\nif (v > 3) throw new Error("too big: " + v);\nreturn v;\n}\n` +
    `let a = x, b = 1;\n${body}\nreturn [a, b];\n}`,
);

/** What a call gives: its value, or the message it throws (without the user's line, which conversion adds). */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return { value: await run() };
  } catch (error) {
    return { threw: (error as Error).message.split('\n\nIn ')[0] };
  }
}

describe('property: try, catch and finally with jumps agree with their originals on plain values', () => {
  it('return, break, continue and throws through try statements nested three deep', async function () {
    this.timeout(300_000);
    await fc.assert(
      fc.asyncProperty(program, fc.integer({ min: -2, max: 4 }), async (source, x) => {
        const fn = new Function(`return (${source});`)() as (x: number) => unknown;
        const expected = await outcome(() => fn(x));
        const actual = await outcome(() => toGraph(fn)(x));
        expect(actual, `x = ${x}:\n${source}`).to.deep.equal(expected);
      }),
      { numRuns: Number(process.env.TRY_RUNS ?? 400), seed: Number(process.env.TRY_SEED ?? 20261202) },
    );
  });
});
