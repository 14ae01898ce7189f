// Property: random programs written the way JavaScript is written (early returns, breaks in counted loops
// and in while (true), try/catch/finally with returns nested three deep, switches, local functions called
// directly) agree with their originals once converted, on plain numbers and on int32 scalar tensors.
import * as tf from '@tensorflow/tfjs';
import { parse } from 'acorn';
import { expect } from 'chai';
import fc from 'fast-check';
import { toGraph } from '../../lib/index.js';
import { GraphRuns } from '../helpers/graph_mode.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';

const VARS = ['a', 'b', 'c'];
const small = fc.integer({ min: -3, max: 5 });

/** Integer expressions over the variables and parameters, and calls of the local functions. */
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VARS, 'x', 'y'),
    small.map(String),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-'), tie('expr')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('expr').map((e) => `(${e} % 7)`),
    tie('expr').map((e) => `bend(${e})`),
    tie('expr').map((e) => `fold(${e})`),
  ),
})).expr;

const condition = fc
  .tuple(expression, fc.constantFrom('<', '<=', '>', '>=', '==', '!='), expression)
  .map(([l, op, r]) => `${l} ${op} ${r}`);

const assignment = fc
  .tuple(fc.constantFrom(...VARS), fc.constantFrom('=', '+=', '-='), expression)
  .map(([v, op, e]) => `${v} ${op} (${e}) % 50;`);

interface Context {
  /** Statements may break or continue (inside a loop). */
  inLoop: boolean;
  /** Statements may return (not inside a finally block, whose jumps would discard what is in flight). */
  returns: boolean;
}

/** Statements nested at most `depth` deep. Every loop runs at most four times. */
function statements(depth: number, context: Context): fc.Arbitrary<string> {
  const jumps: fc.Arbitrary<string>[] = [
    ...(context.returns
      ? [condition.map((c) => `if (${c}) return [a, b, c];`), condition.map((c) => `if (${c}) { return a + b; }`)]
      : []),
    ...(context.inLoop ? [condition.map((c) => `if (${c}) break;`), condition.map((c) => `if (${c}) continue;`)] : []),
    // A message built from a tensor would need a read: each throw says where it was instead.
    fc.tuple(condition, fc.nat(99)).map(([c, site]) => `if (${c}) throw new Error("thrown at ${site}");`),
  ];
  const line = fc.oneof({ weight: 4, arbitrary: assignment }, { weight: 2, arbitrary: fc.oneof(...jumps) });
  const block = (inner: fc.Arbitrary<string>) =>
    fc.array(inner, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n'));
  if (depth === 0) return block(line);
  const inner = statements(depth - 1, context);
  const inLoop = statements(depth - 1, { ...context, inLoop: true });
  const cleanup = statements(depth - 1, { inLoop: false, returns: false });
  const label = `L${depth}`;
  const compound = fc.oneof(
    { weight: 3, arbitrary: line },
    { weight: 2, arbitrary: fc.tuple(condition, inner).map(([c, s]) => `if (${c}) {\n${s}\n}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(condition, inner, inner).map(([c, s, t]) => `if (${c}) {\n${s}\n} else {\n${t}\n}`),
    },
    // A counted loop, bounded by a literal: a break or return in it may depend on a tensor.
    {
      weight: 2,
      arbitrary: inLoop.map(
        (s) => `${label}: for (let i${depth} = 0; i${depth} < 4; i${depth}++) {\na = (a + i${depth}) % 50;\n${s}\n}`,
      ),
    },
    // while (true), ended by its counter or by a break on any condition.
    {
      weight: 2,
      arbitrary: inLoop.map(
        (s) =>
          `{\nlet w${depth} = 0;\nwhile (true) {\nw${depth} = w${depth} + 1;\nif (w${depth} > 3) break;\n${s}\n}\n}`,
      ),
    },
    // try/catch/finally, with returns in the try and catch blocks.
    {
      weight: 2,
      arbitrary: fc
        .tuple(inner, fc.boolean(), inner, fc.boolean(), cleanup)
        .map(
          ([body, hasCatch, handler, hasFinally, finalizer]) =>
            `try {\n${body}\n}` +
            (hasCatch || !hasFinally ? ` catch (e) {\nb = (b + e.message.length) % 50;\n${handler}\n}` : '') +
            (hasFinally ? ` finally {\n${finalizer}\n}` : ''),
        ),
    },
    // A switch on an expression, with fallthrough and a default anywhere.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          expression,
          fc.array(fc.tuple(fc.integer({ min: -2, max: 3 }), inner, fc.boolean()), { minLength: 1, maxLength: 3 }),
          fc.nat(3),
          inner,
        )
        .map(([discriminant, cases, defaultAt, fallback]) => {
          const clauses = cases.map(([value, body, breaks]) => `case ${value}:\n${body}\n${breaks ? 'break;' : ''}`);
          clauses.splice(Math.min(defaultAt, clauses.length), 0, `default:\n${fallback}\nbreak;`);
          return `switch ((${discriminant}) % 4) {\n${clauses.join('\n')}\n}`;
        }),
    },
  );
  return block(compound);
}

/** Local functions the programs call directly: a ternary and an early return, staged on tensors. */
const LOCALS =
  'const bend = (v) => (v > 2 ? v - 3 : v + 1);\n' +
  'function fold(v) {\nif (v < 0) {\nreturn -v % 5;\n}\nreturn v % 5;\n}\n';

const program = statements(3, { inLoop: false, returns: true }).map(
  (body) => `function generated(x, y) {\n${LOCALS}let a = 0, b = 1, c = 2;\n${body}\nreturn [a, b, c];\n}`,
);

/** What each construct is, as the counts print it, and how to find it in a program's source. */
const CONSTRUCTS: [string, RegExp][] = [
  ['early return', /if \(.*\) (\{ )?return/],
  ['counted loop', /for \(let i/],
  ['while (true)', /while \(true\)/],
  ['break', /if \(.*\) break;/],
  ['continue', /continue;/],
  ['try', /\btry \{/],
  ['finally', /finally \{/],
  ['switch', /switch \(/],
  ['throw', /throw new Error/],
  ['local function call', /(bend|fold)\(/],
];

/** What a call gives: its value (tensors read), or the message it throws, without the user's line. */
async function outcome(run: () => Promise<unknown> | unknown, inputs: unknown[] = []): Promise<unknown> {
  try {
    const value = await run();
    if (!Array.isArray(value)) return { value: await valueOf(value, inputs) };
    const values = await Promise.all(value.map((item) => valueOf(item, inputs)));
    return { value: values.map((v) => (Object.is(v, -0) ? 0 : v)) };
  } catch (error) {
    return { threw: String((error as Error).message).split('\n\nIn ')[0] };
  }
}

/** How deep try statements nest in `source`. */
function tryDepth(source: string): number {
  let deepest = 0;
  const visit = (node: unknown, depth: number): void => {
    if (Array.isArray(node)) return node.forEach((child) => visit(child, depth));
    if (node === null || typeof node !== 'object') return;
    const inner = (node as { type?: string }).type === 'TryStatement' ? depth + 1 : depth;
    deepest = Math.max(deepest, inner);
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') visit(child, inner);
  };
  visit(parse(source, { ecmaVersion: 'latest' }), 0);
  return deepest;
}

describeWithBackends('property: realistic programs agree with their originals', (backend) => {
  it('early returns, loop exits, try statements, switches and local functions, on numbers and tensors', async function () {
    this.timeout(600_000);
    // With fusion off (npm test's second pass, on cpu), half as many: the first pass ran them all fused.
    const cpuRuns = process.env.AUTOGRAPH_FUSION === 'off' ? 1000 : 2000;
    const runs = Number(process.env.PROGRAM_RUNS ?? (backend === 'webgpu' ? 50 : cpuRuns));
    const graphRuns = new GraphRuns();
    const counts = new Map<string, number>([
      ...CONSTRUCTS.map(([name]) => [name, 0] as const),
      ['try nested 3 deep', 0],
    ]);
    await fc.assert(
      fc.asyncProperty(program, small, small, async (source, x, y) => {
        const fn = new Function(`return (${source});`)() as (x: unknown, y: unknown) => unknown;
        // The local functions' own definitions do not count as their calls.
        const body = source.replace(LOCALS, '');
        for (const [name, pattern] of CONSTRUCTS) if (pattern.test(body)) counts.set(name, counts.get(name)! + 1);
        if (tryDepth(source) >= 3) counts.set('try nested 3 deep', counts.get('try nested 3 deep')! + 1);
        const expected = await outcome(() => fn(x, y));
        const converted = toGraph(fn);
        expect(await outcome(() => converted(x, y)), `plain (x = ${x}, y = ${y}):\n${source}`).to.deep.equal(expected);
        // The first call with tensors traces; the second, on the values swapped, replays the graph (or traces
        // a branch it had not taken, or runs op by op for a documented reason).
        for (const [a, b] of [
          [x, y],
          [y, x],
        ] as const) {
          const want = a === x && b === y ? expected : await outcome(() => fn(a, b));
          const [tx, ty] = [tf.scalar(a, 'int32'), tf.scalar(b, 'int32')];
          try {
            const before = tf.memory().numTensors;
            const actual = await outcome(() => converted(tx, ty), [tx, ty]);
            expect(actual, `tensors (x = ${a}, y = ${b}):\n${source}`).to.deep.equal(want);
            expect(tf.memory().numTensors, `tensors left (x = ${a}, y = ${b}):\n${source}`).to.equal(before);
            if (!('threw' in (actual as object)))
              graphRuns.check(converted.lastRun, `(x = ${a}, y = ${b}):\n${source}`);
          } finally {
            tf.dispose([tx, ty]);
          }
        }
      }),
      { numRuns: runs, seed: Number(process.env.PROGRAM_SEED ?? 20261202) },
    );
    const table = [...counts].map(([name, count]) => `${name} ${count}`).join(', ');
    console.log(`      ${runs} programs on ${backend}; programs with each construct: ${table}`);
    console.log(`      ${graphRuns.summary()}`);
    for (const [name, count] of counts) expect(count, `programs with ${name}`).to.be.above(0);
  });
});
