// Fused elementwise kernels: random expressions and loops replayed fused agree with tfjs's cpu kernels op by op.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import fc from 'fast-check';
import { fusionEnabled } from '../../lib/api/graph_mode.js';
import { setFusion, toGraph } from '../../lib/index.js';
import { FUSED_KERNEL, expressionKey, type Elementwise, type Step } from '../../lib/kernels/elementwise.js';
import { fusedPaths, registerFusedKernels } from '../../lib/kernels/register.js';
import { describeWithBackends } from '../helpers/backends.js';

type Kind = 'float' | 'int' | 'bool';

/**
 * Typed expression trees over tf ops. On exact operations only (sums, products by small literals, halving,
 * floor, comparisons, selects, casts, int32 division and remainder), on dyadic inputs, float32 on any
 * backend computes what the cpu computes bit for bit: a difference is a bug, not a rounding. A float
 * expression may end in one inexact function (exp, tanh, ...), compared with a tolerance on GPUs.
 */
const tree = fc.letrec<Record<Kind, string>>((tie) => ({
  float: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', 'c', '0.5', '-2'),
    fc
      .tuple(fc.constantFrom('add', 'sub', 'maximum', 'minimum'), tie('float'), tie('float'))
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    fc.tuple(tie('float'), fc.constantFrom('2', '-3', '0.25')).map(([x, k]) => `tf.mul(${x}, ${k})`),
    fc.tuple(tie('float'), fc.constantFrom('2', '-4')).map(([x, k]) => `tf.div(${x}, ${k})`),
    fc
      .tuple(fc.constantFrom('abs', 'neg', 'floor', 'ceil', 'square', 'relu'), tie('float'))
      .map(([op, x]) => `tf.${op}(${x})`),
    fc.tuple(tie('bool'), tie('float'), tie('float')).map(([c, x, y]) => `tf.where(${c}, ${x}, ${y})`),
    // Ints become floats below 2^24, where float32 holds them exactly.
    tie('int').map((x) => `tf.cast(tf.mod(${x}, tf.scalar(1000, 'int32')), 'float32')`),
  ),
  int: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('i', 'j', 'tf.scalar(7, "int32")'),
    fc
      .tuple(fc.constantFrom('add', 'sub', 'maximum', 'minimum'), tie('int'), tie('int'))
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    fc.tuple(tie('int'), fc.constantFrom('3', '-5')).map(([x, k]) => `tf.mul(${x}, tf.scalar(${k}, 'int32'))`),
    // Divisors are never 0: tfjs's backends disagree on integer division by zero.
    fc
      .tuple(
        fc.constantFrom('floorDiv', 'mod'),
        tie('int'),
        // Powers of two (a shift and a mask in fused kernels) and others.
        fc.constantFrom('j', "tf.scalar(-4, 'int32')", "tf.scalar(8, 'int32')", "tf.scalar(1, 'int32')"),
      )
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    fc.tuple(fc.constantFrom('abs', 'neg'), tie('int')).map(([op, x]) => `tf.${op}(${x})`),
    fc.tuple(tie('bool'), tie('int'), tie('int')).map(([c, x, y]) => `tf.where(${c}, ${x}, ${y})`),
    tie('float').map((x) => `tf.cast(${x}, 'int32')`),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        fc.constantFrom('less', 'lessEqual', 'greater', 'greaterEqual', 'equal', 'notEqual'),
        tie('float'),
        tie('float'),
      )
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    fc
      .tuple(fc.constantFrom('less', 'equal', 'notEqual'), tie('int'), tie('int'))
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    fc
      .tuple(fc.constantFrom('logicalAnd', 'logicalOr'), tie('bool'), tie('bool'))
      .map(([op, x, y]) => `tf.${op}(${x}, ${y})`),
    tie('bool').map((x) => `tf.logicalNot(${x})`),
    tie('int').map((x) => `tf.cast(${x}, 'bool')`),
  ),
}));

/** A float expression, maybe ending in one inexact function; or an int or bool one. */
const expression = fc
  .oneof(
    fc.tuple(tree.float, fc.constantFrom('', 'exp', 'tanh', 'sigmoid', 'sqrt', 'sin')).map(([x, f]) => {
      if (f === 'exp') return `tf.exp(tf.div(${x}, 64))`;
      if (f === 'sqrt') return `tf.sqrt(tf.abs(${x}))`;
      // WGSL bounds sin's error (2^-11, absolute) on [-pi, pi] only; beyond it the GPU's sin may differ
      // by more (sin(668168) was 0.63916 against 0.63742), so its argument is clipped into that range.
      if (f === 'sin') return `tf.sin(tf.clipByValue(${x}, -3, 3))`;
      return f ? `tf.${f}(${x})` : x;
    }),
    tree.int,
    tree.bool,
  )
  .filter((source) => source.startsWith('tf.'));

/**
 * An expression ending in a reduction its dtype has (float: sum, mean, max, min; int: sum, max, min;
 * bool: any, all, sum), over every axis, the last one, the first (which tfjs's cpu kernels transpose
 * first), or every axis given outermost last (a transpose too).
 */
const reduced = fc
  .oneof(
    fc.tuple(tree.float, fc.constantFrom('sum', 'mean', 'max', 'min')),
    fc.tuple(tree.int, fc.constantFrom('sum', 'max', 'min')),
    fc.tuple(tree.bool, fc.constantFrom('any', 'all', 'sum')),
  )
  // Of a tensor (not of constants alone, which are scalars: no axis -1 or 0).
  .filter(([x]) => /\b[abcij]\b/.test(x))
  .chain(([x, op]) =>
    fc.constantFrom(
      `tf.${op}(${x})`,
      `tf.${op}(${x}, -1)`,
      `tf.${op}(${x}, 0, true)`,
      `tf.${op}(${x}, 0)`,
      // Of rank 2 where it reads a, b, i or j (c alone is a row).
      /\b[abij]\b/.test(x) ? `tf.${op}(${x}, [1, 0])` : `tf.${op}(${x}, [0])`,
    ),
  );

/**
 * Inputs: a and b float32 of the output's shape, c a float32 row that broadcasts, i and j (never 0) int32.
 * On cpu, i reaches past 2^24 and int32 sums wrap. Not on a GPU: there the trace runs tfjs's own kernels,
 * which compute int32 in float32, and the spec-wide check that a replay gives what its trace gave would
 * fail on their rounding (a spec of its own checks fused int32 there).
 */
const inputsFor = (large: boolean) =>
  // 3 rows of 1 to 5 columns: fewer than four elements, and counts that are and are not multiples of four.
  fc.integer({ min: 1, max: 5 }).chain((cols) => {
    const n = 3 * cols;
    return fc.record({
      cols: fc.constant(cols),
      a: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: n, maxLength: n }),
      b: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: n, maxLength: n }),
      c: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: cols, maxLength: cols }),
      i: fc.array(
        large ? fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }) : fc.integer({ min: -999, max: 999 }),
        { minLength: n, maxLength: n },
      ),
      j: fc.array(
        fc.integer({ min: 1, max: 9 }).chain((k) => fc.constantFrom(k, -k)),
        { minLength: n, maxLength: n },
      ),
    });
  });

type Inputs = { cols: number; a: number[]; b: number[]; c: number[]; i: number[]; j: number[] };

function tensors(data: Inputs): tf.Tensor[] {
  return [
    tf.tensor(
      data.a.map((x) => x / 4),
      [3, data.cols],
    ),
    tf.tensor(
      data.b.map((x) => x / 8),
      [3, data.cols],
    ),
    tf.tensor(
      data.c.map((x) => x / 2),
      [data.cols],
    ),
    tf.tensor(data.i, [3, data.cols], 'int32'),
    tf.tensor(data.j, [3, data.cols], 'int32'),
  ];
}

/** Runs `fn` op by op on the cpu backend, whatever backend is active, and reads its result. */
async function onCpu(
  fn: (...args: tf.Tensor[]) => tf.Tensor,
  data: Inputs,
): Promise<{ values: number[]; dtype: string }> {
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const args = tensors(data);
    const result = fn(...args);
    const values = Array.from(await result.data());
    const dtype = result.dtype;
    tf.dispose([...args, result]);
    return { values, dtype };
  } finally {
    await tf.setBackend(active);
  }
}

/** Exactly equal, NaN equal to NaN; within `tolerance` (relative) when one is given. */
function agree(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): boolean {
  return expected.every((e, k) => {
    const x = actual[k]!;
    if (Number.isNaN(e) || Number.isNaN(x)) return Number.isNaN(e) && Number.isNaN(x);
    if (x === e) return true;
    return Math.abs(x - e) <= tolerance * Math.max(1, Math.abs(e));
  });
}

const INEXACT = /tf\.(exp|tanh|sigmoid|sqrt|sin)\(/;

describeWithBackends('fused kernels', (backend) => {
  /** Tolerance of inexact functions on a GPU (WGSL bounds sin's error by 2^-11, absolute); all else is exact. */
  const tolerance = (source: string) => (backend !== 'cpu' && INEXACT.test(source) ? 1e-3 : 0);
  let fused = 0;
  const inputs = inputsFor(backend === 'cpu');

  // These specs are about fused kernels: on even when the suite runs with fusion off.
  let was = true;
  before(() => {
    was = fusionEnabled();
    setFusion(true);
  });
  after(() => setFusion(was));

  /**
   * Replays `source` (an expression of a, b, c, i, j) on `data` and checks it against the cpu op by op,
   * within `within`; gives the replay's graph text. (The specs' backends run every kernel on the GPU,
   * fused ones included, however small: WEBGPU_CPU_FORWARD is off.)
   */
  async function replayAgainstCpu(source: string, data: Inputs, within: number): Promise<string> {
    const fn = new Function('tf', `return function f(a, b, c, i, j) { return ${source}; }`)(tf) as (
      ...args: tf.Tensor[]
    ) => tf.Tensor;
    const expected = await onCpu(fn, data);
    const g = toGraph(fn);
    const args = tensors(data);
    try {
      (await g(...args)).dispose();
      const summary = await g.graphFor(...args);
      const result = await g(...args);
      expect(g.lastRun.how).to.equal('replayed');
      const values = await result.data();
      expect(result.dtype).to.equal(expected.dtype);
      result.dispose();
      const label = `${source}: ${Array.from(values)} vs ${expected.values}`;
      expect(agree(values, expected.values, within), label).to.equal(true);
      return 'text' in summary ? summary.text : '';
    } finally {
      tf.dispose(args);
    }
  }

  it('random elementwise expressions give what the cpu kernels give op by op', async function () {
    this.timeout(300_000);
    const [simd, wgsl] = [fusedPaths.simd, fusedPaths.wgsl];
    await fc.assert(
      fc.asyncProperty(expression, inputs, async (source, data) => {
        const text = await replayAgainstCpu(source, data, tolerance(source));
        fused += text.match(/fused \d+ kernels/g)?.length ?? 0;
      }),
      { numRuns: backend === 'cpu' ? 150 : 40 },
    );
    // Most expressions of two or more kernels fuse: the spec checks fused kernels, not only tfjs's.
    expect(fused).to.be.greaterThan(10);
    // On cpu, those whose kernels all have exact SIMD forms ran as WebAssembly SIMD, the rest as JavaScript.
    if (backend === 'cpu') expect(fusedPaths.simd - simd).to.be.greaterThan(10);
    else expect(fusedPaths.wgsl - wgsl).to.be.greaterThan(10);
  });

  it('random expressions ending in a reduction give what the cpu kernels give op by op', async function () {
    this.timeout(300_000);
    const [simd, wgsl] = [fusedPaths.simd, fusedPaths.wgsl];
    let ending = 0;
    await fc.assert(
      fc.asyncProperty(reduced, inputs, async (source, data) => {
        // On a GPU a mean adds its rounded quotients in another order; all else is exact.
        const within =
          source.startsWith('tf.mean') && backend !== 'cpu' ? Math.max(1e-5, tolerance(source)) : tolerance(source);
        const text = await replayAgainstCpu(source, data, within);
        if (/fused \d+ kernels \(.*\): .*(Sum|Mean|Max|Min|Any|All)\(/.test(text)) ending++;
      }),
      { numRuns: backend === 'cpu' ? 100 : 30 },
    );
    // Most of them end a fused kernel, which ran as SIMD or JavaScript on cpu and as WGSL on a GPU.
    expect(ending).to.be.at.least(backend === 'cpu' ? 30 : 8);
    if (backend === 'cpu') expect(fusedPaths.simd - simd).to.be.greaterThan(0);
    else expect(fusedPaths.wgsl - wgsl).to.be.at.least(8);
  });

  it('fuses reductions over axes that are not innermost, in the order given, as the cpu kernels reduce', async function () {
    this.timeout(60_000);
    // 1,200 elements: past the size below which tfjs's WebGPU kernels compute on the CPU. The int32 and
    // bool cases are of rank 2: tfjs 4.22's WebGPU transpose of rank 3 does not compile for int32 or bool,
    // so their traces (tfjs's kernels) would fail there.
    const inputs = (): [tf.Tensor, tf.Tensor, tf.Tensor] => [
      tf.tensor(
        Array.from({ length: 1200 }, (_, k) => Math.sin(k) * 10),
        [2, 3, 200],
      ),
      tf.tensor(
        Array.from({ length: 1200 }, (_, k) => Math.cos(k) * 10),
        [6, 200],
      ),
      tf.tensor(
        Array.from({ length: 1200 }, (_, k) => ((k * 7919) % 2001) - 1000),
        [6, 200],
        'int32',
      ),
    ];
    type Case = (x: tf.Tensor, y: tf.Tensor, i: tf.Tensor) => tf.Tensor;
    const cases: [string, Case][] = [
      ['sum over 0 and 2', (x) => tf.sum(tf.mul(tf.abs(x), 0.1), [0, 2])],
      ['sum over 2 and 0', (x) => tf.sum(tf.mul(tf.abs(x), 0.1), [2, 0])],
      ['mean over 1, kept', (x) => tf.mean(tf.square(x), 1, true)],
      ['max over 0', (x) => tf.max(tf.neg(x), 0)],
      ['min over 0 and 1', (x) => tf.min(tf.add(x, 1), [0, 1])],
      ['mean over 1 and 0', (_, y) => tf.mean(tf.sub(y, 0.5), [1, 0])],
      ['int32 sum over 0', (_, __, i) => tf.sum(tf.mul(i, tf.scalar(3, 'int32')), 0)],
      ['any over 0', (_, y) => tf.any(tf.greater(y, 9.9), 0)],
      ['all over -2', (_, y) => tf.all(tf.less(y, 9.9), -2)],
    ];
    const args = inputs();
    try {
      for (const [name, fn] of cases) {
        const active = tf.getBackend();
        await tf.setBackend('cpu');
        const onCpuArgs = inputs();
        const onCpuValue = fn(...onCpuArgs);
        const expected = Array.from(await onCpuValue.data());
        const expectedShape = onCpuValue.shape;
        tf.dispose([...onCpuArgs, onCpuValue]);
        await tf.setBackend(active);
        const g = toGraph(fn);
        const summary = await g.graphFor(...args);
        if (!('nodes' in summary)) expect.fail(summary.fallback);
        expect(summary.text, name).to.match(/fused \d+ kernels .*(Sum|Mean|Max|Min|Any|All)\(.*, axes [\d,]+\)/);
        const result = await g(...args);
        expect(g.lastRun.how).to.equal('replayed');
        expect(result.shape, name).to.deep.equal(expectedShape);
        // Exact on the cpu; on a GPU, float sums add in another order.
        const within = backend === 'cpu' || !/sum|mean/.test(name) || name.startsWith('int32') ? 0 : 1e-5;
        expect(agree(await result.data(), expected, within), `${name}: ${expected}`).to.equal(true);
        result.dispose();
      }
    } finally {
      tf.dispose(args);
    }
  });

  if (backend !== 'cpu') {
    it('computes small values still on the CPU there, as tfjs kernels do with WEBGPU_CPU_FORWARD', async function () {
      const huber = (a: tf.Tensor, delta: number) =>
        tf.where(tf.lessEqual(tf.abs(a), delta), tf.div(tf.mul(a, a), 2), tf.mul(delta, tf.sub(tf.abs(a), delta / 2)));
      tf.env().set('WEBGPU_CPU_FORWARD', true);
      const x = tf.tensor([-3, -1, 0.5, 2]);
      try {
        const g = toGraph(huber);
        (await g(x, 1.5)).dispose();
        const paths = { ...fusedPaths };
        const result = await g(x, 1.5);
        expect(Array.from(await result.data())).to.deep.equal([3.375, 0.5, 0.125, 1.875]);
        result.dispose();
        // Four values not yet uploaded: computed on the CPU (as SIMD), not as a WGSL program.
        expect([fusedPaths.simd - paths.simd, fusedPaths.wgsl - paths.wgsl]).to.deep.equal([1, 0]);
      } finally {
        x.dispose();
        tf.env().set('WEBGPU_CPU_FORWARD', false);
      }
    });
  }

  it('loops whose bodies fuse give what the cpu kernels give op by op', async function () {
    this.timeout(300_000);
    await fc.assert(
      fc.asyncProperty(tree.float, tree.bool, inputs, fc.integer({ min: 0, max: 4 }), async (step, test, data, n) => {
        // a's next value is the step's, where the test holds: a while loop staged on a tensor count.
        const source =
          `let k = tf.scalar(0, 'int32'); while (k < n) { a = tf.where(${test}, tf.div(${step}, 2), a); ` +
          'k = k + 1; } return a;';
        const make = new Function('tf', `return function f(a, b, c, i, j, n) { ${source} }`);
        const fn = make(tf) as (...args: tf.Tensor[]) => tf.Tensor;
        const eager = (...args: tf.Tensor[]) => {
          // Op by op: the loop unrolled with a number count, as the staged loop runs it.
          let [a] = args;
          const original = new Function(
            'tf',
            `return function g(a, b, c, i, j) { return tf.where(${test}, tf.div(${step}, 2), a); }`,
          )(tf) as (...args: tf.Tensor[]) => tf.Tensor;
          for (let k = 0; k < n; k++) a = original(a!, ...args.slice(1));
          return a!;
        };
        const expected = await onCpu(eager, data);
        const g = toGraph(fn);
        const args = [...tensors(data), tf.scalar(n, 'int32')];
        try {
          (await g(...args)).dispose();
          const result = await g(...args);
          expect(g.lastRun.how).to.equal('replayed');
          const values = await result.data();
          result.dispose();
          const label = `${source}: ${Array.from(values)} vs ${expected.values}`;
          expect(agree(values, expected.values, 0), label).to.equal(true);
        } finally {
          tf.dispose(args);
        }
      }),
      { numRuns: backend === 'cpu' ? 60 : 15 },
    );
  });

  const compare = fc.constantFrom('less', 'lessEqual', 'greater', 'notEqual');
  // Few inputs, so that most loops fit one kernel's seven.
  const bounds = fc.constantFrom('b', '0.5', 'tf.abs(b)', 'tf.mul(a, 0.5)', 'c');

  it('loops whose elements stop alone, fused into rounds, give what the cpu kernels give op by op', async function () {
    this.timeout(300_000);
    // On a GPU, loops of values this small would run on the CPU: here they run on the GPU, as WGSL rounds.
    const handoff = tf.env().getNumber('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD');
    if (backend !== 'cpu') tf.env().set('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD', 0);
    let rounds = 0;
    const simd = fusedPaths.simd;
    try {
      await fc.assert(
        fc.asyncProperty(tree.float, bounds, compare, inputs, async (step, bound, cmp, data) => {
          // Each element steps while its test on a holds, at most |j| times: k counts its steps.
          const active = `tf.logicalAnd(tf.less(k, lim), tf.${cmp}(a, ${bound}))`;
          const body =
            `const active = ${active}; a = tf.where(active, tf.div(${step}, 2), a); ` +
            "k = tf.where(active, tf.add(k, tf.scalar(1, 'int32')), k);";
          const start = 'const lim = tf.abs(j); let k = tf.zerosLike(j);';
          const staged = `${start} while (tf.any(${active})) { ${body} } return tf.add(a, tf.cast(k, 'float32'));`;
          // Op by op, the loop's test read as a number.
          const eagerSource = staged.replace(`while (tf.any(${active}))`, `while (tf.any(${active}).dataSync()[0])`);
          const make = (source: string) =>
            new Function('tf', `return function f(a, b, c, i, j) { ${source} }`)(tf) as (
              ...args: tf.Tensor[]
            ) => tf.Tensor;
          const expected = await onCpu(make(eagerSource), data);
          const g = toGraph(make(staged));
          const args = tensors(data);
          try {
            (await g(...args)).dispose();
            const summary = await g.graphFor(...args);
            if ('text' in summary && /fused loop round/.test(summary.text) && !/on the CPU/.test(summary.text)) {
              rounds++;
            }
            const result = await g(...args);
            expect(g.lastRun.how).to.equal('replayed');
            const values = await result.data();
            result.dispose();
            const label = `${staged}: ${Array.from(values)} vs ${expected.values}`;
            expect(agree(values, expected.values, 0), label).to.equal(true);
          } finally {
            tf.dispose(args);
          }
        }),
        { numRuns: backend === 'cpu' ? 60 : 20 },
      );
      // Many of these loops fuse into rounds (the others have a kernel without a fused form, such as an
      // int32 abs), run where the backend computes: the spec checks fused rounds.
      // (About half do; the bounds leave a margin that random draws do not cross.)
      expect(rounds).to.be.at.least(backend === 'cpu' ? 15 : 3);
      // On cpu, rounds whose kernels all have exact SIMD forms ran as WebAssembly SIMD, lanes masked.
      if (backend === 'cpu') expect(fusedPaths.simd - simd).to.be.greaterThan(5);
    } finally {
      tf.env().set('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD', handoff);
    }
  });

  it('writes infinite and NaN literals (which WGSL may not write as constants)', async function () {
    const fn = (a: tf.Tensor) =>
      tf.add(tf.where(tf.equal(a, Infinity), tf.minimum(a, 7), tf.maximum(a, -Infinity)), tf.mul(tf.isNaN(a), NaN));
    const values = [Infinity, -Infinity, 1.5, NaN, -2, 0];
    const active = tf.getBackend();
    await tf.setBackend('cpu');
    const onCpuValues = tf.tidy(() => fn(tf.tensor(values)));
    const expected = Array.from(await onCpuValues.data());
    onCpuValues.dispose();
    await tf.setBackend(active);
    const x = tf.tensor(values);
    try {
      const g = toGraph(fn);
      (await g(x)).dispose();
      const summary = await g.graphFor(x);
      expect('text' in summary && summary.text).to.match(/fused \d+ kernels/);
      const result = await g(x);
      expect(agree(await result.data(), expected, 0), `${expected}`).to.equal(true);
      result.dispose();
    } finally {
      x.dispose();
    }
  });

  it('computes large tensors, several elements per GPU invocation, as the cpu does', async function () {
    this.timeout(60_000);
    const huber = (a: tf.Tensor, delta: number) =>
      tf.where(tf.lessEqual(tf.abs(a), delta), tf.div(tf.mul(a, a), 2), tf.mul(delta, tf.sub(tf.abs(a), delta / 2)));
    // 70,001 elements (from 65,536 on, an invocation computes 8; this count is not a multiple of 8), of
    // quarters, on which every kernel here is exact.
    const values = Array.from({ length: 70_001 }, (_, k) => ((k * 37) % 41) / 4 - 5);
    const active = tf.getBackend();
    await tf.setBackend('cpu');
    const onCpuValues = tf.tidy(() => huber(tf.tensor(values), 1.5));
    const expected = Array.from(await onCpuValues.data());
    onCpuValues.dispose();
    await tf.setBackend(active);
    const x = tf.tensor(values);
    try {
      const g = toGraph(huber);
      (await g(x, 1.5)).dispose();
      const result = await g(x, 1.5);
      expect(g.lastRun.how).to.equal('replayed');
      expect(agree(await result.data(), expected, 0)).to.equal(true);
      result.dispose();
    } finally {
      x.dispose();
    }
  });

  it('reads and writes four elements at a time where inputs are full-size or single values, as the cpu does', async function () {
    this.timeout(60_000);
    // Float32, int32 and bool results, each from float32, int32 and bool inputs and a scalar tensor.
    const programs = {
      pick: (b: tf.Tensor, i: tf.Tensor, x: tf.Tensor, s: tf.Tensor) =>
        tf.where(b, tf.add(tf.cast(i, 'float32'), tf.mul(x, s)), tf.neg(x)),
      ints: (b: tf.Tensor, i: tf.Tensor, x: tf.Tensor, s: tf.Tensor) =>
        tf.add(tf.floorDiv(i, tf.cast(s, 'int32')), tf.where(b, tf.mod(i, tf.scalar(3, 'int32')), tf.cast(x, 'int32'))),
      bools: (b: tf.Tensor, i: tf.Tensor, x: tf.Tensor, s: tf.Tensor) =>
        tf.logicalOr(tf.logicalAnd(tf.greater(x, s), b), tf.equal(i, 7)),
    };
    // 70,004 elements: a multiple of 4 (vec4), not of 16 (the last invocation computes fewer); 70,001 is not
    // a multiple of 4, and a [17501, 4] input broadcast against a row of 4 is not a single value: both
    // compute an element at a time.
    const cases = [
      { n: 70_004, row: false, vec4: true },
      { n: 70_001, row: false, vec4: false },
      { n: 70_004, row: true, vec4: false },
    ];
    for (const { n, row, vec4 } of cases) {
      const shape = row ? [n / 4, 4] : [n];
      const bools = Uint8Array.from({ length: n }, (_, k) => ((k * 13) % 3 === 0 ? 1 : 0));
      const ints = Int32Array.from({ length: n }, (_, k) => ((k * 7919) % 4001) - 2000);
      const floats = Float32Array.from({ length: n }, (_, k) => ((k * 37) % 41) / 4 - 5);
      const make = () => [
        tf.tensor(bools, shape, 'bool'),
        tf.tensor(ints, shape, 'int32'),
        tf.tensor(floats, shape),
        // No divisor of 0: tfjs's WebGPU FloorDiv gives -2^31 there, its cpu kernel 0 (the trace runs tfjs's kernels).
        row ? tf.tensor([-3, 1.5, 2, -1.25]) : tf.scalar(-3),
      ];
      for (const [name, program] of Object.entries(programs)) {
        const active = tf.getBackend();
        await tf.setBackend('cpu');
        const expected = tf.tidy(() => program(...(make() as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])));
        const want = Array.from(await expected.data());
        expected.dispose();
        await tf.setBackend(active);
        const g = toGraph(program);
        for (let call = 0; call < 2; call++) {
          const inputs = make() as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const before = fusedPaths.vec4;
          const result = await g(...inputs);
          const what = `${name} over ${n} elements${row ? ' with a row' : ''}`;
          expect(agree(await result.data(), want, 0), what).to.equal(true);
          if (call > 0) {
            expect(g.lastRun.how, what).to.equal('replayed');
            // Each program is one fused kernel.
            expect(fusedPaths.vec4 - before, what).to.equal(backend === 'webgpu' && vec4 ? 1 : 0);
          }
          tf.dispose([result, ...inputs]);
        }
      }
    }
  });

  it('uploads large float32, int32 and bool inputs still on the CPU with one queue write each (webgpu)', async function () {
    this.timeout(60_000);
    const pick = (b: tf.Tensor, i: tf.Tensor, x: tf.Tensor) => tf.where(b, tf.add(tf.cast(i, 'float32'), x), tf.neg(x));
    const n = 20_000; // 80 KB as float32 or int32: past the size from which inputs are written so
    const ints = Int32Array.from({ length: n }, (_, k) => ((k * 7919) % 4001) - 2000);
    const bools = Uint8Array.from({ length: n }, (_, k) => ((k * 13) % 3 === 0 ? 1 : 0));
    const floats = Float32Array.from({ length: n }, (_, k) => ((k * 37) % 41) / 4 - 5);
    const expected = Array.from(floats, (x, k) => (bools[k] ? ints[k]! + x : -x));
    const g = toGraph(pick);
    const gpu = tf.backend() as unknown as { device?: { queue: { writeBuffer: (...args: unknown[]) => void } } };
    const queue = backend === 'webgpu' ? gpu.device!.queue : undefined;
    const writes: number[] = [];
    const write = queue?.writeBuffer;
    if (queue && write) {
      queue.writeBuffer = function (this: unknown, ...args: unknown[]) {
        writes.push((args[2] as ArrayBufferView).byteLength);
        return write.apply(this, args);
      };
    }
    try {
      for (let call = 0; call < 3; call++) {
        const inputs = [tf.tensor(bools, [n], 'bool'), tf.tensor(ints, [n], 'int32'), tf.tensor(floats, [n])];
        writes.length = 0;
        const queued = fusedPaths.queueWrites;
        const result = await g(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor]));
        // fusedPaths counts them (the bench says so); a backend without WebGPU writes none.
        if (call > 0) expect(fusedPaths.queueWrites - queued).to.equal(queue ? 3 : 0);
        if (call > 0) expect(g.lastRun.how).to.equal('replayed');
        expect(agree(await result.data(), expected, 0)).to.equal(true);
        // A replay writes the three inputs with queue writes (tfjs's uniforms are small writes too).
        if (call > 0 && queue) expect(writes.filter((bytes) => bytes === 4 * n)).to.have.length(3);
        tf.dispose([result, ...inputs]);
      }
    } finally {
      if (queue && write) queue.writeBuffer = write;
    }
  });

  it('fusion off replays the traced kernels as they are', async function () {
    const huber = (a: tf.Tensor, delta: number) =>
      tf.where(tf.lessEqual(tf.abs(a), delta), tf.div(tf.mul(a, a), 2), tf.mul(delta, tf.sub(tf.abs(a), delta / 2)));
    const x = tf.tensor([-3, -1, 0.5, 2]);
    try {
      for (const on of [true, false]) {
        setFusion(on);
        const g = toGraph(huber);
        const summary = await g.graphFor(x, 1.5);
        if (!('nodes' in summary)) expect.fail(summary.fallback);
        expect(summary.nodes[`kernel ${FUSED_KERNEL}`] ?? 0).to.equal(on ? 1 : 0);
        expect(summary.text).to.satisfy((text: string) => text.includes('fused 7 kernels') === on);
        const result = await g(x, 1.5);
        expect(Array.from(await result.data())).to.deep.equal([3.375, 0.5, 0.125, 1.875]);
        result.dispose();
      }
    } finally {
      setFusion(true);
      x.dispose();
    }
  });

  it('computes int32 exactly, wrapping as an Int32Array does, past 2^24 where tfjs computes in float32', async function () {
    registerFusedKernels();
    // (i + j, i - j, i * 3, i % j, floor(i / j), i == i + 1) over int32 values near the ends of the range.
    const ops: [string, (i: number, j: number) => number][] = [
      ['Add', (i, j) => (i + j) | 0],
      ['Sub', (i, j) => (i - j) | 0],
      ['Multiply', (i) => (i * 3) | 0],
      ['Mod', (i, j) => cpuMod(i, j)],
      ['FloorDiv', (i, j) => Math.floor(i / j) | 0],
    ];
    const i = [2_147_483_647, -2_147_483_648, 16_777_217, -16_777_219, 123_456_789, 1_999_999_999, 7, -7];
    const j = [2, -3, 5, -7, 1_000_003, -1, 3, -2];
    const x = tf.tensor(i, [8], 'int32');
    const y = tf.tensor(j, [8], 'int32');
    try {
      for (const [op, want] of ops) {
        const steps: Step[] = [
          { op: 'input', input: 0, dtype: 'int32' },
          { op: 'input', input: 1, dtype: 'int32' },
          ...(op === 'Multiply' ? [{ op: 'literal', value: 3, dtype: 'int32' } as Step] : []),
          { op, args: op === 'Multiply' ? [0, 2] : [0, 1], dtype: 'int32' },
        ];
        const inputs = [
          { dtype: 'int32' as const, shape: [8] },
          { dtype: 'int32' as const, shape: [8] },
        ];
        const expression: Elementwise = {
          shape: [8],
          dtype: 'int32',
          inputs,
          steps,
          key: expressionKey([8], inputs, steps),
        };
        const result = tf.engine().runKernel(FUSED_KERNEL, [x, y] as never, { expression } as never) as tf.Tensor;
        const got = Array.from(await result.data());
        result.dispose();
        // JavaScript's own int32 arithmetic, and tfjs's cpu remainder (the divisor's sign).
        const expected = i.map((a, k) => want(a, j[k]!));
        expect(got, op).to.deep.equal(expected);
      }
    } finally {
      tf.dispose([x, y]);
    }
  });

  describe('fused loops', () => {
    function collatzAll(a: tf.Tensor) {
      let steps = tf.zerosLike(a);
      while (tf.any(tf.notEqual(a, 1))) {
        const active = tf.notEqual(a, 1);
        const [one, two, three] = [tf.scalar(1, 'int32'), tf.scalar(2, 'int32'), tf.scalar(3, 'int32')];
        const odd = tf.add(tf.mul(a, three), one);
        a = tf.where(active, tf.where(tf.equal(tf.mod(a, two), 0), tf.floorDiv(a, two), odd), a);
        steps = tf.add(steps, tf.cast(active, 'int32'));
      }
      return steps;
    }
    const collatzSteps = (n: number) => {
      let steps = 0;
      for (; n !== 1; steps++) n = n % 2 === 0 ? n / 2 : 3 * n + 1;
      return steps;
    };

    it('run a loop whose elements may stop alone as rounds of one kernel, each element to its own end', async function () {
      this.timeout(120_000);
      const g = toGraph(collatzAll);
      const x = tf.range(1, 301, 1, 'int32');
      try {
        const summary = await g.graphFor(x);
        if (!('text' in summary)) expect.fail(summary.fallback);
        expect(summary.text).to.contain('fused: each element iterates alone');
        expect(summary.text).to.match(/fused loop round \(.*\): up to 256 iterations of \d+ kernels per element/);
        const result = await g(x);
        expect(g.lastRun.how).to.equal('replayed');
        // 300 values take up to 118 steps: one round, then the read of its test; the first test is read
        // too. On a GPU the loop of 300 values runs on the CPU, whose three carried values are read once.
        expect(g.lastRun.reads).to.be.at.most(backend === 'cpu' ? 3 : 4);
        expect(Array.from(await result.data())).to.deep.equal(
          Array.from({ length: 300 }, (_, k) => collatzSteps(k + 1)),
        );
        result.dispose();
      } finally {
        x.dispose();
      }
    });

    it('run rounds on the GPU for values too many for the CPU, each element to its own end over two rounds', async function () {
      this.timeout(120_000);
      const g = toGraph(collatzAll);
      // 1,200 values, more than a GPU backend hands to the CPU; 6171 takes 261 steps, past one round's 256.
      const x = tf.range(5100, 6300, 1, 'int32');
      try {
        const summary = await g.graphFor(x);
        if (!('text' in summary)) expect.fail(summary.fallback);
        expect(summary.text).to.match(/fused loop round/);
        expect(summary.text).to.not.contain('on the CPU');
        const result = await g(x);
        expect(g.lastRun.how).to.equal('replayed');
        expect(Array.from(await result.data())).to.deep.equal(
          Array.from({ length: 1200 }, (_, k) => collatzSteps(k + 5100)),
        );
        result.dispose();
      } finally {
        x.dispose();
      }
    });

    // On a GPU backend rounds are bounded by the GPU's limit alone: this is the cpu backend's own bound.
    if (backend === 'cpu')
      it('bound the work of one round on the CPU, so that the event loop gets turns', async function () {
        this.timeout(60_000);
        const g = toGraph(collatzAll);
        // 65,536 values of a 10-kernel body: on the CPU a round runs fewer iterations than a GPU's 256.
        const x = tf.range(1, 65537, 1, 'int32');
        try {
          const summary = await g.graphFor(x);
          if (!('text' in summary)) expect.fail(summary.fallback);
          const perRound = Number(/up to (\d+) iterations of/.exec(summary.text)?.[1]);
          expect(perRound).to.be.within(1, 64);
          const result = await g(x);
          const values = await result.data();
          result.dispose();
          expect([values[26], values[6170], values[65535]]).to.deep.equal([27, 6171, 65536].map(collatzSteps));
        } finally {
          x.dispose();
        }
      });

    it('fuse a float32 loop whose count adds 0 for stopped elements', async function () {
      // Written with operators, as converted code runs them: on float32 values, steps + cast(active) is
      // steps + 0 for a stopped element, which is steps itself.
      const source = `let steps = tf.zerosLike(a);
        while (tf.any(a != 1)) {
          const active = a != 1;
          a = tf.where(active, tf.where(a % 2 == 0, Math.floor(a / 2), 3 * a + 1), a);
          steps = steps + tf.cast(active, 'int32');
        }
        return steps;`;
      const g = toGraph(
        new Function('tf', `return function collatzFloat(a) { ${source} }`)(tf) as (a: tf.Tensor) => tf.Tensor,
      );
      const x = tf.range(1, 41);
      try {
        const summary = await g.graphFor(x);
        if (!('text' in summary)) expect.fail(summary.fallback);
        expect(summary.text).to.contain('fused loop round');
        const result = await g(x);
        expect(Array.from(await result.data())).to.deep.equal(
          Array.from({ length: 40 }, (_, k) => collatzSteps(k + 1)),
        );
        result.dispose();
      } finally {
        x.dispose();
      }
    });

    it('run a loop of scalars as rounds of one kernel', async function () {
      const g = toGraph(function scalarCollatz(n: number) {
        let steps = 0;
        while (n != 1) {
          if (n % 2 == 0) n = Math.floor(n / 2);
          else n = 3 * n + 1;
          steps++;
        }
        return steps;
      });
      for (const start of [27, 97, 1]) {
        const n = tf.scalar(start, 'int32') as unknown as number;
        await g(n).then((r) => (r as unknown as tf.Tensor).dispose());
        const summary = await g.graphFor(n);
        if (!('text' in summary)) expect.fail(summary.fallback);
        expect(summary.text).to.contain('fused loop round');
        const result = (await g(n)) as unknown as tf.Tensor;
        expect((await result.data())[0]).to.equal(collatzSteps(start));
        result.dispose();
        (n as unknown as tf.Tensor).dispose();
      }
    });

    it('stop between rounds when aborted, and free what they made', async function () {
      this.timeout(60_000);
      const g = toGraph(function countDown(a: number) {
        while (a > 0) a = a - 1;
        return a;
      });
      const start = tf.scalar(3) as unknown as number;
      // Traced with a loop that ends; replayed with one of 1e12 iterations: rounds of 4096 until aborted.
      ((await g(start)) as unknown as tf.Tensor).dispose();
      const summary = await g.graphFor(start);
      if (!('text' in summary)) expect.fail(summary.fallback);
      expect(summary.text).to.contain('fused loop round');
      const long = tf.scalar(1e12) as unknown as number;
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const began = performance.now();
      const error = await g
        .withSignal(controller.signal)(long)
        .then(
          () => expect.fail('expected the abort to stop the loop'),
          (e: Error) => e,
        );
      expect(error.name).to.equal('AbortError');
      expect(g.lastRun.how).to.equal('replayed');
      expect(performance.now() - began, 'stopped soon after the abort').to.be.below(5_000);
      expect(tf.memory().numTensors).to.equal(before);
      tf.dispose([start, long] as unknown as tf.Tensor[]);
    });

    it('keep a loop that changes elements whose test is false as it is, and count iterations where asked', async function () {
      // Elements past their end go on changing (b grows): stopping each alone would change the result.
      function grows(a: tf.Tensor, b: tf.Tensor) {
        while (tf.any(tf.less(a, 10))) {
          a = tf.add(a, tf.scalar(3, 'int32'));
          b = tf.add(b, tf.scalar(1, 'int32'));
        }
        return tf.add(a, b);
      }
      const g = toGraph(grows);
      const a = tf.tensor([0, 5, 9, 20], [4], 'int32');
      const b = tf.zeros([4], 'int32');
      try {
        const summary = await g.graphFor(a, b);
        if (!('text' in summary)) expect.fail(summary.fallback);
        expect(summary.text).not.to.contain('fused loop round');
        const result = await g(a, b);
        expect(Array.from(await result.data())).to.deep.equal([16, 21, 25, 36]);
        result.dispose();
        // maximumIterations counts iterations: the loop as traced runs, and stops at the limit.
        const limited = toGraph(collatzAll, { maximumIterations: 5 });
        const x = tf.tensor([27, 1], [2], 'int32');
        await limited(x).then(
          () => expect.fail('expected maximumIterations to stop the loop'),
          (error: Error) => expect(error.message).to.contain('ran 5 iterations'),
        );
        const again = await limited(x).catch((error: Error) => error);
        expect((again as Error).message).to.contain('ran 5 iterations');
        x.dispose();
      } finally {
        tf.dispose([a, b]);
      }
    });
  });
});

describe('fused kernels on wasm', () => {
  // The wasm backend runs fused kernels as WebAssembly SIMD on its own heap, or as the cpu's JavaScript over
  // views of it.
  before(async function () {
    this.timeout(60_000);
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).to.equal(true);
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('an elementwise chain and a fused loop give what tfjs gives op by op on wasm', async function () {
    this.timeout(60_000);
    const was = fusionEnabled();
    setFusion(true);
    const huber = (a: tf.Tensor, delta: number) =>
      tf.where(tf.lessEqual(tf.abs(a), delta), tf.div(tf.mul(a, a), 2), tf.mul(delta, tf.sub(tf.abs(a), delta / 2)));
    const countUp = (a: tf.Tensor, n: tf.Tensor) => {
      for (let i = 0; i < (n as unknown as number); i++) a = tf.where(tf.less(a, 10), tf.add(a, 3), a);
      return a;
    };
    const x = tf.tensor([-3, -1, 0.5, 2, 7.5]);
    const n = tf.scalar(6, 'int32');
    try {
      const g = toGraph(huber);
      const h = toGraph(countUp);
      for (const [fn, args, expected] of [
        [g, [x, 1.5], [3.375, 0.5, 0.125, 1.875, 10.125]],
        [h, [x, n], [12, 11, 12.5, 11, 10.5]],
      ] as const) {
        (await (fn as (...a: unknown[]) => Promise<tf.Tensor>)(...args)).dispose();
        const summary = await (fn as unknown as { graphFor(...a: unknown[]): Promise<{ text?: string }> }).graphFor(
          ...args,
        );
        expect(summary.text).to.match(/fused (\d+ kernels|loop round)/);
        const simd = fusedPaths.simd;
        const result = await (fn as (...a: unknown[]) => Promise<tf.Tensor>)(...args);
        expect(Array.from(await result.data())).to.deep.equal(expected);
        result.dispose();
        // The Huber loss's kernels, and the loop's, all have SIMD forms: each runs on the wasm heap in place.
        expect(fusedPaths.simd).to.be.greaterThan(simd);
      }
    } finally {
      setFusion(was);
      tf.dispose([x, n]);
    }
  });
});
/** tfjs's cpu Mod, stored as int32: the remainder takes the divisor's sign. */
function cpuMod(a: number, b: number): number {
  const r = a % b;
  return ((a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b) | 0;
}
