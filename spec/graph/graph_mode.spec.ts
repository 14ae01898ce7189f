// Graph mode: a signature is traced once and replayed; replays agree with op-by-op runs.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { fusionEnabled } from '../../lib/api/graph_mode.js';
import { assert, autograph, setMode, toGraph } from '../../lib/index.js';
import { FUSED_KERNEL } from '../../lib/kernels/elementwise.js';
import { collatz } from '../fixtures/examples.js';
import { describeWithBackends, rejection, valueOf } from '../helpers/backends.js';
import { captureLog } from '../helpers/console.js';

type Fn = (...args: unknown[]) => unknown;

function signOf(x: number) {
  let y = 0;
  if (x > 0) {
    y = x * 2;
  } else {
    y = y + x - 1;
  }
  return y;
}

function collatzSteps(n: number): number {
  let steps = 0;
  for (; n != 1; steps++) n = n % 2 == 0 ? n / 2 : 3 * n + 1;
  return steps;
}

describeWithBackends('graph mode', (backend) => {
  it('traces Collatz once and replays it for other values with the results of op-by-op runs', async () => {
    // A scope of its own: other specs convert the same example function, and their graphs are theirs.
    const g = toGraph(collatz as Fn, { scope: { backend } });
    const eager = toGraph(collatz as Fn, { mode: 'eager' });
    const runs: string[] = [];
    for (const n of [27, 7, 97, 1]) {
      const x = tf.scalar(n, 'int32');
      const [got, want] = [await g(x), await eager(x)];
      runs.push(g.lastRun.how);
      expect(await valueOf(got), `collatz(${n})`).to.deep.equal(await valueOf(want));
      tf.dispose([x, got as tf.Tensor, want as tf.Tensor]);
    }
    expect(runs).to.deep.equal(['traced', 'replayed', 'replayed', 'replayed']);
  });

  it('traces and replays a function that types and stacks its own list', async () => {
    // setElementType records the list's dtype, the same on every call: it does not stop the trace.
    const pairs = new Function(
      'tf',
      'autograph',
      `return function pairs(x) {
        const list = [];
        autograph.setElementType(list, 'float32');
        list.push(x);
        list.push(x * 2);
        return autograph.stack(list);
      }`,
    )(tf, { setElementType: autograph.setElementType, stack: autograph.stack }) as Fn;
    const g = toGraph(pairs, { scope: { autograph } });
    const runs: string[] = [];
    for (const n of [1, 2.5]) {
      const x = tf.scalar(n);
      const got = await g(x);
      runs.push(g.lastRun.how);
      expect(await valueOf(got)).to.deep.equal([n, n * 2]);
      x.dispose();
    }
    expect(runs).to.deep.equal(['traced', 'replayed']);
  });

  it('selects instead of reading an if, reads a loop once per round, and frees every value it made', async () => {
    const g = toGraph(collatz as Fn);
    const x = tf.scalar(6, 'int32');
    await g(x).then((r) => (r as tf.Tensor).dispose());
    const before = tf.memory().numTensors;
    const summary = await g.graphFor(x);
    expect(tf.memory().numTensors, 'tensors left').to.equal(before);
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    expect(summary.nodes['loop']).to.equal(1);
    expect(summary.nodes['if']).to.equal(undefined);
    expect(summary.untraced).to.equal(0);
    if (fusionEnabled()) {
      // The whole loop is one kernel that iterates until n is 1 (8 steps, one round), the if a Select in
      // it; the first test is read, then the round's.
      expect(summary.text).to.contain('fused loop round');
      expect(summary.readsPerCall).to.equal(2);
    } else {
      expect(summary.nodes['kernel Select']).to.equal(1);
      expect(summary.text).to.contain('FloorDiv');
      if (backend === 'cpu') {
        // 6 takes 8 steps. The if only computes, so both branches run and a Select picks; the loop runs
        // rounds of 1, 2, 4 and 8 iterations (the last one past the end), with one read each and one for
        // the first test.
        expect(summary.readsPerCall).to.equal(5);
        expect(summary.text).to.contain('up to 32 iterations per read');
      } else {
        // On a GPU backend the loop of scalars runs on the CPU: the input and the first test are read once.
        expect(summary.readsPerCall).to.equal(2);
        expect(summary.text).to.contain('on the CPU (every value has at most 1000 elements)');
      }
    }
    x.dispose();
  });

  it('runs a loop of small values on the CPU when the backend is a GPU, and one of larger values on it', async () => {
    const g = toGraph(function countDown(a: number) {
      let steps = 0;
      while (tf.any(tf.greater(a as never, 0))) {
        a = a - 1;
        steps = steps + 1;
      }
      return steps;
    } as Fn);
    for (const size of [4, 2048]) {
      const x = tf.range(0, size).mod(5).cast('int32');
      const r = (await g(x)) as tf.Tensor;
      const steps = Math.min(size, 5) - 1;
      expect(await valueOf(r), `size ${size}`).to.equal(steps);
      const summary = await g.graphFor(x);
      if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
      const onCpu = backend !== 'cpu' && size <= 1000;
      expect(summary.text.includes('on the CPU'), `size ${size}`).to.equal(onCpu);
      expect(summary.text.includes('up to 32 iterations per read'), `size ${size}`).to.equal(!onCpu);
      // Replayed with the same values: the results of the op-by-op trace.
      const again = (await g(x)) as tf.Tensor;
      expect(g.lastRun.how).to.equal('replayed');
      expect(await valueOf(again)).to.equal(steps);
      x.dispose();
    }
  });

  it('keeps maximumIterations exact while a loop runs several iterations per read', async () => {
    // `n > i`, not `i < n`: a loop that tests `i < n` counts, and reads its trip count instead (below).
    const countTo = function countTo(n: number) {
      let i = 0;
      while (n > i) {
        i = i + 1;
      }
      return i;
    } as Fn;
    for (const limit of [37, 36]) {
      const g = toGraph(countTo, { maximumIterations: limit });
      const results: unknown[] = [];
      for (const n of [5, 37]) {
        const x = tf.scalar(n, 'int32');
        const r = await g(x).then(
          async (t) => [await valueOf(t), g.lastRun.how, (t as tf.Tensor).dispose()][0],
          (error: Error) => error.message.split(',')[0],
        );
        results.push(r);
        x.dispose();
      }
      // 37 iterations fit a limit of 37, and not one of 36, also when the second call is a replay.
      expect(results).to.deep.equal(
        limit === 37 ? [5, 37] : [5, 'A while loop whose condition is a tensor ran 36 iterations without ending'],
      );
      expect(g.lastRun.how).to.equal('replayed');
    }
  });

  it('reads a counting loop’s trip count once, for-of over a tensor and i < n alike, and keeps maximumIterations', async () => {
    const sumTo = function sumTo(n: number) {
      let total = 0;
      for (let i = 0; i < n; i++) total = total + i;
      return total;
    } as Fn;
    const rows = function rowSums(m: number) {
      let total = 0;
      for (const row of m as unknown as number[]) total = total + (tf.sum(row as never) as unknown as number);
      return total;
    } as Fn;
    const g = toGraph(sumTo, { maximumIterations: 40 });
    for (const n of [10, 0, 40]) {
      const x = tf.scalar(n, 'int32');
      expect(await valueOf(await g(x))).to.equal((n * (n - 1)) / 2);
      x.dispose();
    }
    // One read of the trip count; on a GPU backend this loop of scalars runs on the CPU, after reading n and
    // the first test there.
    expect(g.lastRun).to.include({ how: 'replayed', reads: backend === 'cpu' ? 1 : 2 });
    const over = tf.scalar(41, 'int32');
    const error = await rejection(g(over));
    expect(error.message).to.contain('ran 40 iterations without ending');
    over.dispose();
    const h = toGraph(rows);
    for (const length of [3, 3, 7]) {
      // Rows of distinct values: an item taken from the wrong position would change the sum.
      const m = tf.range(0, 4 * length).reshape([length, 4]);
      expect(await valueOf(await h(m))).to.equal((4 * length * (4 * length - 1)) / 2);
      m.dispose();
    }
    expect(h.lastRun.how).to.equal('traced');
    const m = tf.ones([7, 4]);
    const summary = await h.graphFor(m);
    m.dispose();
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    expect(summary.text, summary.text).to.contain('counting: one read of its trip count when it starts');
    // On a GPU backend this loop of small values runs on the CPU, after reading the matrix and the first test.
    expect(summary.readsPerCall).to.equal(backend === 'cpu' ? 1 : 2);
  });

  it('decides an if on a counting loop’s position alone on the CPU: a loop that prints every third step reads once', async () => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    try {
      const g = toGraph(function every3(n: number, x: number) {
        let total = x;
        for (let step = 0; step < n; step++) {
          total = total * 2;
          if (step % 3 == 0) console.log('step', step, 'total', total);
        }
        return total;
      } as Fn);
      const results: unknown[] = [];
      for (const steps of [7, 4]) {
        const [n, x] = [tf.scalar(steps, 'int32'), tf.scalar(1)];
        results.push(await valueOf(await g(n, x)), g.lastRun.how);
        tf.dispose([n, x]);
      }
      expect(results).to.deep.equal([128, 'traced', 16, 'replayed']);
      expect(printed).to.deep.equal([
        ...['step 0 total 2', 'step 3 total 16', 'step 6 total 128'],
        ...['step 0 total 2', 'step 3 total 16'],
      ]);
      // The trip count is the one read; the prints read their values, as effects do. On webgpu the loop
      // runs on the CPU: what it takes from the GPU (n, x, the first condition) is read once.
      expect(g.lastRun).to.include({ reads: backend === 'cpu' ? 1 : 3 });
    } finally {
      console.log = log;
    }
  });

  it('replays a vectorised loop with tf.where updates as op by op runs it', async () => {
    const g = toGraph(function collatzAll(a: number) {
      let steps = tf.zerosLike(a as never) as unknown as number;
      while (tf.any((a != 1) as never)) {
        const active = a != 1;
        a = tf.where(
          active as never,
          tf.where((a % 2 == 0) as never, Math.floor(a / 2) as never, (3 * a + 1) as never),
          a as never,
        ) as never;
        steps = steps + (tf.cast(active as never, 'int32') as never);
      }
      return steps;
    } as Fn);
    for (const offset of [0, 5, 0]) {
      const a = tf.add(tf.range(1, 41, 1, 'int32'), offset);
      const r = (await g(a)) as tf.Tensor;
      const expected = Array.from({ length: 40 }, (_, i) => collatzSteps(i + 1 + offset));
      expect(await valueOf(r)).to.deep.equal(expected);
      tf.dispose([a, r]);
    }
    expect(g.lastRun.how, g.lastRun.reason).to.equal('replayed');
    expect(g.lastRun.reads).to.be.below(12);
  });

  it('carries a comparison the loop computes at the end of each iteration into the next one instead of again', async () => {
    const g = toGraph(function countDown(a: number) {
      let steps = tf.zerosLike(a as never) as unknown as number;
      while (tf.any((a > 0) as never)) {
        const active = a > 0;
        a = tf.where(active as never, (a - 1) as never, a as never) as never;
        steps = steps + (tf.cast(active as never, 'int32') as never);
      }
      return [a, steps];
    } as Fn);
    const hows: string[] = [];
    for (const values of [
      [3, 0, 5, 1],
      [0, 0, 0, 0],
      [2, 7, 1, 4],
    ]) {
      const a = tf.tensor1d(values, 'int32');
      const [rest, steps] = (await g(a)) as tf.Tensor[];
      expect(await valueOf(rest!)).to.deep.equal([0, 0, 0, 0]);
      expect(await valueOf(steps!)).to.deep.equal(values);
      hows.push(g.lastRun.how);
      tf.dispose([a, rest!, steps!]);
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed']);
    const summary = await g.graphFor(tf.tensor1d([1, 2, 3, 4], 'int32'));
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    // `a > 0` is computed once per iteration (for the condition) and carried into the next as `active`.
    expect(summary.text).to.match(/loop \(%\d+, %\d+, %\d+\)/);
    // Fused, the whole iteration is one kernel's (each element stops alone: the count stays where it is).
    if (fusionEnabled()) expect(summary.text).to.contain('fused: each element iterates alone');
    else {
      const body = summary.text.slice(summary.text.indexOf('body'));
      expect(body.match(/Greater\(/g)).to.have.length(1);
    }
  });

  it('stops a round of speculative iterations where the loop ended on its last run, and stays exact', async () => {
    // 1024 values: more than a loop placed on the CPU takes (it reads every iteration, never speculates).
    const g = toGraph(function rootUp(x: number, n: number) {
      while (tf.any((x * x < n) as never)) x = x + 1;
      return x;
    } as Fn);
    const runs: { value: unknown; kernels?: number }[] = [];
    for (const n of [1600, 100, 1600, 1600, 2500]) {
      const [x, limit] = [tf.zeros([1024], 'int32'), tf.scalar(n, 'int32')];
      const value = ((await valueOf(await g(x, limit))) as number[])[0];
      runs.push({ value, kernels: g.lastRun.kernels });
      tf.dispose([x, limit]);
    }
    expect(runs.map((run) => run.value)).to.deep.equal([40, 10, 40, 40, 50]);
    const [, , afterShort, again] = runs;
    // After a run of 10 iterations, rounds of 1, 2, 4, 8, 16 and 32 iterations run past 40; told that the
    // loop ended after 40, the next run ends its round there.
    expect(again!.kernels).to.be.below(afterShort!.kernels!);
  });

  it('traces again for a new signature, and warns once when an argument keeps changing', async () => {
    // Its own scope per backend: a function's warning comes once per process.
    const g = toGraph(
      function scaled(x: number, k: number) {
        return x * k;
      } as Fn,
      { scope: { backend } },
    );
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    const x = tf.tensor([1, 2]);
    const hows: string[] = [];
    try {
      for (const k of [2, 2, 3, 4, 5, 6, 7]) {
        const r = (await g(x, k)) as tf.Tensor;
        hows.push(g.lastRun.how);
        expect(await valueOf(r)).to.deep.equal([k, 2 * k]);
        r.dispose();
      }
    } finally {
      console.warn = warn;
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'traced', 'traced', 'traced', 'traced', 'traced']);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain("argument 2 ('k')");
    x.dispose();
  });

  it('says when a loop reads its condition every iteration: a body that prints', async () => {
    const g = toGraph(function countDown(n: number) {
      while (n > 0) {
        console.log('n', n);
        n = n - 1;
      }
      return n;
    } as Fn);
    const log = console.log;
    const printed: unknown[][] = [];
    console.log = (...args: unknown[]) => printed.push(args);
    const x = tf.scalar(3, 'int32');
    try {
      await g(x).then((r) => (r as tf.Tensor).dispose());
      const summary = await g.graphFor(x);
      if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
      if (backend === 'cpu') {
        expect(summary.text).to.contain('one read per iteration: its body does more than compute');
        // 3 iterations and the last test, on the replay that graphFor counts.
        expect(summary.readsPerCall).to.equal(4);
      } else {
        // On a GPU backend a loop of small values runs on the CPU, prints included: n and the first
        // test are read from the GPU once, and each test after that on the CPU, where no read waits.
        expect(summary.text).to.contain('on the CPU');
        expect(summary.readsPerCall).to.equal(2);
      }
    } finally {
      console.log = log;
      x.dispose();
    }
    // The trace printed, and so did each replay (graphFor's included), with that call's values.
    expect(printed.slice(0, 3)).to.deep.equal([
      ['n', 3],
      ['n', 2],
      ['n', 1],
    ]);
    expect(printed.slice(3, 6)).to.deep.equal(printed.slice(0, 3));
  });

  it('replays through the engine under tf.profile, which lists the replay’s kernels', async () => {
    const g = toGraph(
      function scaledUp(x: number) {
        return x * 3 + 1;
      } as Fn,
      { scope: { backend } },
    );
    const x = tf.scalar(2);
    await g(x).then((r) => (r as tf.Tensor).dispose());
    const info = await tf.profile(async () => (await g(x)) as tf.Tensor);
    expect(await valueOf(info.result as tf.Tensor)).to.equal(7);
    tf.dispose(info.result as tf.Tensor);
    // Fused, x * 3 + 1 is one kernel.
    const kernels = fusionEnabled() ? [FUSED_KERNEL] : ['Multiply', 'Add'];
    expect(g.lastRun).to.deep.equal({ how: 'replayed', kernels: kernels.length, reads: 0 });
    expect(info.kernels.map((k) => k.name)).to.deep.equal(kernels);
    x.dispose();
  });

  it('replays gradients computed inside the function (tf.grad, tf.valueAndGrad) as op by op gives them', async () => {
    const fn = function slopes(x: number) {
      const square = (v: tf.Tensor) => tf.mul(v, v);
      const [value, slope] = [tf.valueAndGrad(square)(x as never).value, tf.grad(square)(x as never)];
      return [value, slope];
    } as Fn;
    const g = toGraph(fn);
    const eager = toGraph(fn, { mode: 'eager' });
    const hows: string[] = [];
    for (const n of [3, -1.5]) {
      const x = tf.tensor1d([n, 2 * n]);
      const [got, want] = [(await g(x)) as tf.Tensor[], (await eager(x)) as tf.Tensor[]];
      hows.push(g.lastRun.how);
      const values = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => valueOf(t)));
      expect(await values(got)).to.deep.equal(await values(want));
      tf.dispose([x, ...got, ...want]);
    }
    expect(hows).to.deep.equal(['traced', 'replayed']);
  });

  it('replays a function that creates, trains and disposes its own variables, each call with new ones', async () => {
    const fit = function fit(x: number, steps: number) {
      const w = tf.variable(tf.zeros([2]));
      const opt = tf.train.sgd(0.5);
      let loss = 0;
      for (let step = 0; step < steps; step++) {
        loss = opt.minimize(() => tf.sum(tf.square(tf.sub(w, x as never))), true) as unknown as number;
      }
      const fitted = tf.mul(w, 1);
      tf.dispose([w]);
      opt.dispose();
      return [fitted, loss];
    } as Fn;
    const g = toGraph(fit);
    const eager = toGraph(fit, { mode: 'eager' });
    const variables = tf.memory() as unknown as { numTensors: number };
    const hows: string[] = [];
    for (const target of [
      [1, 2],
      [3, -1],
      [0.5, 0.5],
    ]) {
      const [x, steps] = [tf.tensor1d(target), tf.scalar(4, 'int32')];
      const before = variables.numTensors;
      const [got, want] = [(await g(x, steps)) as tf.Tensor[], (await eager(x, steps)) as tf.Tensor[]];
      hows.push(g.lastRun.how);
      const values = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => valueOf(t)));
      expect(await values(got)).to.deep.equal(await values(want));
      // Every variable the call created was disposed, as the function disposes its own.
      expect(variables.numTensors, 'tensors left').to.equal(before);
      tf.dispose([x, steps]);
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed']);
    const summary = await g.graphFor(tf.tensor1d([1, 1]), tf.scalar(2, 'int32'));
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    expect(summary.text).to.contain('new variable(');
  });

  it('runs op by op, saying why, when the function creates a variable by name or inside a staged loop', async () => {
    const x = tf.scalar(2);
    const named = toGraph(function named(y: number) {
      const v = tf.variable(tf.zerosLike(y as never), true, 'autograph-spec-named');
      const out = v.add(y as never);
      v.dispose();
      return out;
    } as Fn);
    const inLoop = toGraph(function inLoop(y: number) {
      let total = tf.zerosLike(y as never);
      for (let i = 0; i < y; i++) {
        const v = tf.variable(tf.onesLike(y as never));
        total = tf.add(total, v);
        v.dispose();
      }
      return total;
    } as Fn);
    for (const [g, reason] of [
      [named, 'by name'],
      [inLoop, 'inside a staged if or loop'],
    ] as const) {
      for (let call = 0; call < 2; call++) {
        expect(await valueOf(await g(x))).to.equal(2);
        expect(g.lastRun.how).to.equal('eager');
        expect(g.lastRun.reason).to.contain(`creates tf.Variable`).and.to.contain(reason);
      }
    }
    x.dispose();
  });

  it('leaves `this` out of the signature of a function that does not read it', async () => {
    const plain = toGraph(function double(x: number) {
      return x * 2;
    } as Fn);
    const method = toGraph(function scaled(this: { k: number }, x: number) {
      return x * this.k;
    } as Fn);
    const x = tf.scalar(3);
    const hows: string[] = [];
    for (const self of [{ k: 1 }, { k: 2 }, undefined]) {
      tf.dispose((await plain.call(self, x)) as tf.Tensor);
      hows.push(plain.lastRun.how);
    }
    for (const self of [{ k: 1 }, { k: 2 }]) {
      expect(await valueOf(await method.call(self, x))).to.equal(3 * self.k);
      hows.push(method.lastRun.how);
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed', 'traced', 'traced']);
    x.dispose();
  });

  it('keeps the graphs of the 32 most recent signatures', async () => {
    const g = toGraph(
      function doubled(x: number) {
        return x * 2;
      } as Fn,
      { scope: { backend } },
    );
    const warn = console.warn;
    console.warn = () => undefined;
    const hows: string[] = [];
    try {
      for (const length of [1, ...Array.from({ length: 32 }, (_, i) => i + 2), 33, 1]) {
        const x = tf.ones([length]);
        const r = (await g(x)) as tf.Tensor;
        hows.push(g.lastRun.how);
        tf.dispose([x, r]);
      }
    } finally {
      console.warn = warn;
    }
    // Lengths 1 to 33 trace; 33 again replays; 1, the oldest, was evicted by the 33rd signature.
    expect(hows.slice(0, 33).every((how) => how === 'traced')).to.equal(true);
    expect(hows.slice(33)).to.deep.equal(['replayed', 'traced']);
  });

  it('checks the shape a data-shaped kernel gives, and traces again when it differs', async function () {
    // tfjs has a Unique kernel on cpu only: on other backends the op itself fails, graph mode or not.
    if (!tf.getKernel('Unique', backend)) this.skip();
    const g = toGraph(function distinctSum(x: number) {
      const values = tf.unique(x as never).values as tf.Tensor;
      return (tf.sum(values) as never) + values.shape[0]!;
    } as Fn);
    const results: unknown[] = [];
    for (const values of [
      [1, 1, 2, 5],
      [3, 3, 4, 6],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]) {
      const x = tf.tensor1d(values, 'int32');
      const r = (await g(x)) as tf.Tensor;
      results.push([await valueOf(r), g.lastRun.how]);
      tf.dispose([x, r]);
    }
    // The third call's Unique gives 4 values, not 3: the replay stops and the call is traced. That trace
    // read the new length into JavaScript (values.shape[0]), so it differs from the first, and the
    // signature runs op by op from then on, saying why.
    expect(results).to.deep.equal([
      [11, 'traced'],
      [16, 'replayed'],
      [14, 'traced'],
      [14, 'eager'],
    ]);
    expect(g.lastRun.reason).to.contain('two traces of one signature differ');
  });

  it('traces the branch an if did not take without its effects, so later calls that take it replay', async () => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    try {
      const g = toGraph(function signed(x: number) {
        let y = 0;
        if (x > 0) {
          y = x * 2;
        } else {
          console.log('negative', x);
          y = y + x - 1;
        }
        return y;
      } as Fn);
      const results: unknown[] = [];
      for (const n of [3, -3, 5, -5]) {
        const x = tf.scalar(n, 'int32');
        const r = (await g(x)) as tf.Tensor;
        results.push([await valueOf(r), r.dtype, g.lastRun.how]);
        tf.dispose([x, r]);
      }
      expect(results).to.deep.equal([
        [6, 'int32', 'traced'],
        [-4, 'int32', 'replayed'],
        [10, 'int32', 'replayed'],
        [-6, 'int32', 'replayed'],
      ]);
      // The else branch was traced during the first call, but printed only when calls took it.
      expect(printed).to.deep.equal(['negative -3', 'negative -5']);
      expect(await g.graphFor(tf.scalar(1, 'int32'))).to.include({ untraced: 0 });
    } finally {
      console.log = log;
    }
  });

  it('traces a branch that cannot run untaken (it assigns a variable) when a call first takes it', async () => {
    const v = tf.variable(tf.scalar(0));
    const g = toGraph(
      function bump(x: number) {
        let y;
        if (x > 0) {
          y = x * 2;
        } else {
          v.assign(tf.add(v, x));
          y = tf.mul(v, 1) as unknown as number;
        }
        return y;
      } as Fn,
      { scope: { v } },
    );
    const results: unknown[] = [];
    for (const n of [3, -3, 5, -5]) {
      const x = tf.scalar(n);
      const r = (await g(x)) as tf.Tensor;
      results.push([await valueOf(r), g.lastRun.how]);
      tf.dispose([x, r]);
    }
    // The first trace leaves the else branch untraced: running it would have assigned v.
    expect(results).to.deep.equal([
      [6, 'traced'],
      [-3, 'traced'],
      [10, 'replayed'],
      [-8, 'replayed'],
    ]);
    expect(await valueOf(v)).to.equal(-8);
    v.dispose();
  });

  it('shows a replay’s prints and variable updates once when it stops at an untraced branch and traces again', async () => {
    const [v, w] = [tf.variable(tf.scalar(0)), tf.variable(tf.scalar(0))];
    const g = toGraph(
      function count(x: number) {
        console.log('x', x);
        assert(x < 100, 'x is too big');
        v.assign(((v as never) + 1) as never);
        let y;
        if (x > 0) {
          y = x * 2;
        } else {
          w.assign(((w as never) + x) as never);
          y = (w as never) - 1;
        }
        return y;
      } as Fn,
      { scope: { v, w, assert } },
    );
    const results: unknown[] = [];
    const { lines } = await captureLog(async () => {
      for (const n of [3, 200, -3, 5, -5]) {
        const x = tf.scalar(n);
        const result = await g(x).then(valueOf, (error: Error) => error.message.split('\n')[0]);
        results.push([result, g.lastRun.how]);
        x.dispose();
      }
    });
    const printed = lines.map((args) => args.map(String).join(' '));
    // The replay of 200 held its print (the else branch was untraced): the failing assert showed it first.
    // The replay of -3 printed and assigned v before it met the branch no trace had run: that was held
    // back and undone, and the call traced again did it once.
    expect(results).to.deep.equal([
      [6, 'traced'],
      ['x is too big', 'replayed'],
      [-4, 'traced'],
      [10, 'replayed'],
      [-9, 'replayed'],
    ]);
    expect(printed).to.deep.equal(['x 3', 'x 200', 'x -3', 'x 5', 'x -5']);
    expect([(await v.data())[0], (await w.data())[0]]).to.deep.equal([4, -8]);
    tf.dispose([v, w]);
  });

  it('shows the prints a replay held back when an abort stops it, as op by op had shown them', async () => {
    const w = tf.variable(tf.scalar(0));
    const g = toGraph(
      function countThenPick(x: number, n: number) {
        console.log('x', x);
        let i = 0;
        while (i < n) i = i + 1;
        let y;
        if (x > 0) {
          y = x + i;
        } else {
          w.assign(((w as never) + x) as never);
          y = (w as never) + 0;
        }
        return y;
      } as Fn,
      { scope: { w } },
    );
    const [x, small, big] = [tf.scalar(1), tf.scalar(3), tf.scalar(1e9)];
    const { lines, result: error } = await captureLog(async () => {
      tf.dispose((await g(x, small)) as tf.Tensor);
      const controller = new AbortController();
      const run = g.withSignal(controller.signal)(x, big);
      setTimeout(() => controller.abort(), 60);
      return rejection(run);
    });
    expect(error.name).to.equal('AbortError');
    expect(g.lastRun.how, 'a replay that holds its prints: the else branch is untraced').to.equal('replayed');
    expect(lines.map((args) => args.map(String).join(' '))).to.deep.equal(['x 1', 'x 1']);
    tf.dispose([w, x, small, big]);
  });

  it('shows a replay’s prints once when a loop that grows a tensor runs longer than traced and traces again', async () => {
    const counter = tf.variable(tf.scalar(0, 'int32'));
    const g = toGraph(
      function grow(x: number, n: number) {
        let i = 0;
        while (i < n) {
          console.log('step', i);
          counter.assign(((counter as never) + 1) as never);
          x = tf.concat([x as never, tf.ones([1])]) as never;
          i = i + 1;
        }
        return x;
      } as Fn,
      { scope: { counter } },
    );
    const got: unknown[] = [];
    const x = tf.ones([1]);
    const { lines } = await captureLog(async () => {
      for (const n of [2, 3, 3, 1]) {
        const steps = tf.scalar(n, 'int32');
        const r = (await g(x, steps)) as tf.Tensor;
        got.push([r.shape[0], g.lastRun.how]);
        tf.dispose([r, steps]);
      }
    });
    x.dispose();
    const printed = lines.map((args) => args.map(String).join(' '));
    // The replay of the second call stopped at the third iteration, whose shapes no trace had seen.
    expect(got).to.deep.equal([
      [3, 'traced'],
      [4, 'traced'],
      [4, 'replayed'],
      [2, 'replayed'],
    ]);
    const steps = (n: number) => Array.from({ length: n }, (_, i) => `step ${i}`);
    expect(printed).to.deep.equal([...steps(2), ...steps(3), ...steps(3), ...steps(1)]);
    expect((await counter.data())[0]).to.equal(9);
    const summary = await captureLog(() => g.graphFor(tf.ones([1]), tf.scalar(1, 'int32')));
    if (!('text' in summary.result)) expect.fail(`fell back: ${summary.result.fallback}`);
    expect(summary.result.text).to.match(
      /^\(a replay may stop part-way and trace again: its prints show when it ends\)/,
    );
    counter.dispose();
  });

  it('shows a replay’s prints once when it enters a loop no trace has entered, and traces again', async () => {
    const v = tf.variable(tf.scalar(0));
    const g = toGraph(
      function countDown(x: number) {
        console.log('start');
        v.assign(((v as never) + 1) as never);
        while (x > 0) x = x - 1;
        return x;
      } as Fn,
      { scope: { v } },
    );
    const hows: string[] = [];
    const { lines } = await captureLog(async () => {
      for (const n of [0, 2, 3]) {
        const x = tf.scalar(n);
        expect(await valueOf(await g(x))).to.equal(0);
        hows.push(g.lastRun.how);
        x.dispose();
      }
    });
    const printed = lines.map((args) => args.map(String).join(' '));
    expect(hows).to.deep.equal(['traced', 'traced', 'replayed']);
    expect(printed).to.deep.equal(['start', 'start', 'start']);
    expect((await v.data())[0]).to.equal(3);
    v.dispose();
  });

  it('frees every value a replay made when an abort stops it', async () => {
    const g = toGraph(function countUp(x: number, n: number) {
      while (x < n) x = x + 1;
      return x;
    } as Fn);
    const [x, small, big] = [tf.scalar(0), tf.scalar(3), tf.scalar(1e9)];
    // The trace, then a replay that writes the graph's constants, which live as long as the graph.
    for (let i = 0; i < 2; i++) tf.dispose((await g(x, small)) as tf.Tensor);
    const live = () => [tf.memory().numTensors, tf.backend().numDataIds(), tf.findBackend('cpu')?.numDataIds()];
    const before = live();
    const controller = new AbortController();
    const run = g.withSignal(controller.signal)(x, big);
    setTimeout(() => controller.abort(), 60);
    expect((await rejection(run)).name).to.equal('AbortError');
    expect(g.lastRun.how).to.equal('replayed');
    expect(live(), 'tensors, and values of the backends').to.deep.equal(before);
    tf.dispose([x, small, big]);
  });

  it('fixes the dtype of an if’s outputs by both branches, whichever the data takes', async () => {
    const halves = function halves(x: number) {
      let y;
      if (x > 3) {
        y = 9;
      } else {
        y = x * 0.5;
      }
      return y;
    } as Fn;
    const g = toGraph(halves);
    const eager = toGraph(halves, { mode: 'eager' });
    const results: unknown[] = [];
    for (const n of [5, 1, 6]) {
      const x = tf.scalar(n);
      const r = (await g(x)) as tf.Tensor;
      results.push([await valueOf(r), r.dtype, g.lastRun.how]);
      tf.dispose([x, r]);
    }
    // `y = 9` alone would be int32 (op by op it is the number 9): the other branch makes it float32.
    expect(results).to.deep.equal([
      [9, 'float32', 'traced'],
      [0.5, 'float32', 'replayed'],
      [9, 'float32', 'replayed'],
    ]);
    expect(await eager(tf.scalar(5))).to.equal(9);
  });

  it('runs op by op, saying why, when the branches of an if give a variable two dtypes', async () => {
    const g = toGraph(function flagOrHalf(x: number) {
      let y;
      if (x > 3) {
        y = true;
      } else {
        y = x * 0.5;
      }
      return y;
    } as Fn);
    const results: unknown[] = [];
    for (const n of [5, 1]) {
      const x = tf.scalar(n);
      const r = await g(x);
      results.push([await valueOf(r), g.lastRun.how]);
      tf.dispose([x, r as tf.Tensor]);
    }
    expect(results).to.deep.equal([
      [true, 'eager'],
      [0.5, 'eager'],
    ]);
    expect(g.lastRun.reason).to.contain("'y' is bool after a staged if when its condition holds and float32 when not");
  });

  it('replays a staged branch that computes inside tf.tidy, which changes nothing a replay must repeat', async () => {
    const g = toGraph(function tidied(x: number) {
      let y = x;
      if (x > 0) {
        y = tf.tidy(() => tf.mul(tf.add(x as never, 1), 2)) as unknown as number;
      }
      return y;
    } as Fn);
    const results: unknown[] = [];
    for (const n of [1, -1, 2]) {
      const x = tf.scalar(n);
      results.push([await valueOf(await g(x)), g.lastRun.how]);
      x.dispose();
    }
    expect(results).to.deep.equal([
      [4, 'traced'],
      [-1, 'replayed'],
      [6, 'replayed'],
    ]);
  });

  it('runs op by op, saying why, a function that changes an object it did not make, so each call changes it', async () => {
    const pushes = toGraph(function pushes(log: unknown[], x: number) {
      log.push('ran');
      return x * 2;
    } as Fn);
    const remember = function remember(seen: unknown[], x: unknown) {
      seen.push(x);
    };
    const callsHelper = toGraph(
      function callsHelper(seen: unknown[], x: number) {
        remember(seen, 1);
        return x + 1;
      } as Fn,
      { scope: { remember } },
    );
    class Counter {
      count = 0;
      step(x: number) {
        this.count++;
        return x * 3;
      }
    }
    const counter = new Counter();
    const counts = toGraph(Counter.prototype.step as Fn);
    const x = tf.scalar(2);
    for (let call = 1; call <= 3; call++) {
      const log: unknown[] = [];
      const seen: unknown[] = [];
      expect(await valueOf(await pushes(log, x))).to.equal(4);
      expect(log, 'pushed on every call').to.deep.equal(['ran']);
      expect(pushes.lastRun.reason).to.contain('it changes an object it did not make');
      expect(await valueOf(await callsHelper(seen, x))).to.equal(3);
      expect(seen, 'pushed by the callee on every call').to.deep.equal([1]);
      expect(callsHelper.lastRun.reason).to.contain('it calls remember, which changes an object it did not make');
      expect(await valueOf(await counts.call(counter, x))).to.equal(6);
      expect(counter.count).to.equal(call);
    }
    const reverses = toGraph(function reverses(list: number[], x: tf.Tensor) {
      list.reverse();
      return x.add(1);
    } as Fn);
    const list = [1, 2];
    expect(await valueOf(await reverses(list, x))).to.equal(3);
    expect(await valueOf(await reverses(list, x))).to.equal(3);
    expect(list, 'reversed twice').to.deep.equal([1, 2]);
    expect(reverses.lastRun.reason).to.contain('changes an array or set in place');
    x.dispose();
  });

  it('replays functions that change only what they make themselves, and tensor methods named like mutators', async () => {
    const g = toGraph(function ownList(x: tf.Tensor) {
      const parts = [];
      const byName = new Map();
      parts.push(x.add(1));
      byName.set('sum', x.reverse());
      parts.push(byName.get('sum'));
      return tf.stack(parts as never);
    } as Fn);
    const hows: string[] = [];
    for (const n of [1, 5]) {
      const x = tf.tensor1d([n, 0]);
      expect(await valueOf(await g(x))).to.deep.equal([
        [n + 1, 1],
        [0, n],
      ]);
      hows.push(g.lastRun.how);
      x.dispose();
    }
    expect(hows).to.deep.equal(['traced', 'replayed']);
  });

  it('replays the prints of plain code that the trace ran: a converted function called from native code', async () => {
    const double = toGraph(function double(v: number) {
      console.log('double', v);
      return v * 2;
    } as Fn);
    const g = toGraph(
      function printsThroughMap(x: number) {
        console.log('before');
        const ys = [1, 2].map(double as never);
        console.log('after', ys.length);
        return x * 2;
      } as Fn,
      { scope: { double } },
    );
    const expected = [['before'], ['double', 1], ['double', 2], ['after', 2]];
    for (const how of ['traced', 'replayed']) {
      const x = tf.scalar(1);
      const printed: unknown[][] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => void printed.push(args);
      try {
        expect(await valueOf(await g(x))).to.equal(2);
      } finally {
        console.log = log;
      }
      expect(g.lastRun.how).to.equal(how);
      expect(printed, `printed when ${how}`).to.deep.equal(expected);
      x.dispose();
    }
  });

  it('keeps a branch traced untaken from writing into an outside object through an array it made', async () => {
    const o: { neg?: boolean } = {};
    const g = toGraph(
      function marks(x: number) {
        let y;
        if (x > 0) {
          y = x * 2;
        } else {
          const held = [o];
          held[0]!.neg = true;
          y = x;
        }
        return y;
      } as Fn,
      { scope: { o } },
    );
    const x = tf.scalar(1);
    expect(await valueOf(await g(x))).to.equal(2);
    expect(o.neg, 'written by the untaken branch').to.equal(undefined);
    const minus = tf.scalar(-1);
    expect(await valueOf(await g(minus))).to.equal(-1);
    expect(o.neg).to.equal(true);
    expect(g.lastRun.reason).to.contain('it changes an object it did not make');
    tf.dispose([x, minus]);
  });

  it('goes on tracing after an untaken branch throws inside an if it entered, and keeps its loops’ types open', async () => {
    const note = (n: number) => n;
    const g = toGraph(
      function guarded(x: number) {
        let y = x;
        if (x > 0) {
          y = x * 2;
        } else if (x < 5) {
          y = tf.matMul(x as never, x as never) as unknown as number;
        }
        note(1);
        return y;
      } as Fn,
      { scope: { note } },
    );
    const flips = toGraph(function flips(x: number) {
      let y = tf.zeros([1, 2]);
      if (x > 0) {
        y = tf.add(y, 1);
      } else {
        let i = tf.scalar(0, 'int32') as unknown as number;
        while (i < 4) {
          y = tf.transpose(y);
          i = i + 1;
        }
      }
      return y;
    } as Fn);
    const hows: string[] = [];
    for (const n of [2, 3]) {
      const x = tf.scalar(n);
      tf.dispose((await g(x)) as tf.Tensor);
      hows.push(g.lastRun.how);
      x.dispose();
    }
    // Four iterations of the transpose give [1, 2] again; a trace that stopped the loop early saw [2, 1].
    for (const n of [2, -2, 3, -3]) {
      const x = tf.scalar(n);
      const r = (await flips(x)) as tf.Tensor;
      expect(r.shape, `flips(${n})`).to.deep.equal([1, 2]);
      hows.push(flips.lastRun.how);
      tf.dispose([x, r]);
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'traced', 'traced', 'replayed', 'replayed']);
  });

  it('runs op by op, saying why, when the function returns a variable it created', async () => {
    const g = toGraph(function counter(x: number) {
      const v = tf.variable(tf.zerosLike(x as never));
      v.assign(tf.add(v, x as never));
      return v;
    } as Fn);
    const x = tf.scalar(2);
    for (let call = 0; call < 2; call++) {
      const v = (await g(x)) as tf.Variable;
      expect(v).to.be.instanceOf(tf.Variable);
      expect(await valueOf(tf.clone(v))).to.equal(2);
      expect(g.lastRun.reason).to.contain('returns tf.Variable');
      v.dispose();
    }
    x.dispose();
  });

  it('runs op by op when a staged branch changes an object from outside it, which a replay could not', async () => {
    const g = toGraph(function positives(x: number) {
      const list: unknown[] = [];
      if (x > 0) list.push(x);
      return list.length;
    } as Fn);
    const results: unknown[] = [];
    for (const n of [1, -1, 2]) {
      const x = tf.scalar(n);
      results.push([await g(x), g.lastRun.how]);
      x.dispose();
    }
    expect(results).to.deep.equal([
      [1, 'eager'],
      [0, 'eager'],
      [1, 'eager'],
    ]);
    expect(g.lastRun.reason).to.contain('a branch of a staged if changes something outside it');
  });

  it('on a GPU backend runs a small training loop on the CPU: variables read once, written back, prints kept', async () => {
    const fit = function fit(steps: number) {
      for (let i = 0; i < steps; i++) {
        opt.minimize(() => tf.sum(tf.square(tf.sub(w, 2))));
        if (i % 2 == 0) console.log('w', tf.sum(w));
      }
      return tf.sum(w);
    } as Fn;
    // Declared for the function's free names; each toGraph call binds its own through scope.
    const [w, opt] = [tf.variable(tf.tensor1d([0.5, -0.5])), tf.train.sgd(0.1)];
    const [w2, opt2] = [tf.variable(tf.tensor1d([0.5, -0.5])), tf.train.sgd(0.1)];
    const g = toGraph(fit, { scope: { w, opt } });
    const eager = toGraph(fit, { scope: { w: w2, opt: opt2 }, mode: 'eager' });
    const printed: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args);
    const hows: string[] = [];
    try {
      for (let call = 0; call < 3; call++) {
        const steps = tf.scalar(3, 'int32');
        const [got, want] = [(await g(steps)) as tf.Tensor, (await eager(steps)) as tf.Tensor];
        hows.push(g.lastRun.how);
        expect(await valueOf(got)).to.be.closeTo((await valueOf(want)) as number, 1e-5);
        const [a, b] = [Array.from(await w.data()), Array.from(await w2.data())];
        a.forEach((v, k) => expect(v, 'the variable, written back').to.be.closeTo(b[k]!, 1e-5));
        steps.dispose();
      }
      const summary = await g.graphFor(tf.scalar(2, 'int32'));
      if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
      expect(summary.text.includes('on the CPU')).to.equal(backend !== 'cpu');
    } finally {
      console.log = log;
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed']);
    // Each call printed twice (steps 0 and 2) on both sides, in the same order: graph, then eager.
    expect(printed.slice(0, 12).map((line) => line[0])).to.deep.equal(Array(12).fill('w'));
    for (let k = 0; k < 12; k += 4) {
      expect(printed[k]![1] as number).to.be.closeTo(printed[k + 2]![1] as number, 1e-5);
      expect(printed[k + 1]![1] as number).to.be.closeTo(printed[k + 3]![1] as number, 1e-5);
    }
    tf.dispose([w, w2]);
    opt.dispose();
    opt2.dispose();
  });

  it('writes variables back when a loop placed on the CPU stops with an error part-way', async () => {
    const counter = tf.variable(tf.scalar(0));
    const g = toGraph(
      function countTo(n: number) {
        while ((counter as never) < n) counter.assign(((counter as never) + 1) as never);
        return (counter as never) + 0;
      } as Fn,
      { scope: { counter }, maximumIterations: 10 },
    );
    const three = tf.scalar(3);
    tf.dispose((await g(three)) as tf.Tensor);
    counter.assign(tf.scalar(0));
    tf.dispose((await g(three)) as tf.Tensor);
    expect(g.lastRun.how, g.lastRun.reason).to.equal('replayed');
    expect((await counter.data())[0]).to.equal(3);
    const summary = await g.graphFor(three);
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    expect(summary.text.includes('on the CPU')).to.equal(backend !== 'cpu');
    const many = tf.scalar(100);
    const tensors = tf.memory().numTensors;
    expect((await rejection(g(many))).message).to.include('maximumIterations');
    expect(tf.memory().numTensors, 'nothing leaked by the failed call').to.equal(tensors);
    expect((await counter.data())[0], 'the ten iterations that ran, written back').to.equal(13);
    counter.dispose();
    const gone = await rejection(g(three));
    expect(gone.message).to.match(/variable '.*' that the traced function reads has been disposed/);
    tf.dispose([three, many]);
  });

  it('starts the next iteration while it reads the test of a loop that assigns variables, and drops it at the end', async () => {
    // 64 x 20 values: too many for the loop to run on the CPU, so each test is read from the backend.
    const fn = function fitUntil(xs: number, ys: number, tol: number) {
      let loss: number = tf.losses.meanSquaredError(ys as never, tf.matMul(xs as never, w)) as never;
      let steps = 0;
      while (loss > tol) {
        loss = opt.minimize(() => tf.losses.meanSquaredError(ys as never, tf.matMul(xs as never, w)), true) as never;
        steps += 1;
      }
      return [steps, tf.sum(w)];
    } as Fn;
    // Declared for the function's free names; each toGraph call binds its own through scope.
    const [w, opt] = [tf.variable(tf.zeros([20, 1])), tf.train.sgd(0.2)];
    const [w2, opt2] = [tf.variable(tf.zeros([20, 1])), tf.train.sgd(0.2)];
    const g = toGraph(fn, { scope: { w, opt } });
    const eager = toGraph(fn, { scope: { w: w2, opt: opt2 }, mode: 'eager' });
    const truth = tf.linspace(-1, 1, 20).reshape([20, 1]);
    const runs: unknown[] = [];
    // The replay's values are the backend's own, outside the engine's count of tensors.
    const live = () => [tf.memory().numTensors, tf.backend().numDataIds()];
    let before: number[] = [];
    for (let call = 0; call < 3; call++) {
      tf.tidy(() => [w, w2].forEach((v) => v.assign(tf.zeros([20, 1]))));
      const xs = tf.randomUniform([64, 20], -1, 1, 'float32', call);
      const ys = tf.matMul(xs, truth);
      if (call === 2) before = live();
      const [steps, sum] = (await g(xs, ys, 0.2)) as tf.Tensor[];
      const how = g.lastRun;
      const [want, wantSum] = (await eager(xs, ys, 0.2)) as tf.Tensor[];
      const n = (await steps!.data())[0]!;
      expect(n).to.equal((await want!.data())[0]);
      expect(n, 'the loop ran').to.be.greaterThan(3);
      expect((await sum!.data())[0]).to.be.closeTo((await wantSum!.data())[0]!, 1e-4);
      // One read of the test per iteration, and one of the first.
      if (how.how === 'replayed') expect(how.reads).to.equal(n + 1);
      runs.push(how.how);
      tf.dispose([steps!, sum!, want!, wantSum!]);
      if (call === 2) expect(live(), 'the last iteration started is dropped').to.deep.equal(before);
      tf.dispose([xs, ys]);
    }
    expect(runs).to.deep.equal(['traced', 'replayed', 'replayed']);
    const xs = tf.randomUniform([64, 20], -1, 1, 'float32', 3);
    const ys = tf.matMul(xs, truth);
    const summary = await g.graphFor(xs, ys, 0.2);
    if (!('text' in summary)) expect.fail(`fell back: ${summary.fallback}`);
    const ahead = /during which (\d+) kernels of the next iteration start/.exec(summary.text);
    if (backend === 'cpu') expect(ahead).to.equal(null);
    else expect(Number(ahead?.[1])).to.be.greaterThan(3);
    tf.dispose([w, w2, truth, xs, ys]);
    opt.dispose();
    opt2.dispose();
  });

  it('updates variables in place and replays gradient steps of an optimizer', async () => {
    const w = tf.variable(tf.tensor([0.5, -0.5]));
    const opt = tf.train.sgd(0.1);
    const xs = tf.tensor([
      [1, 2],
      [3, 4],
    ]);
    const ys = tf.tensor([1, 2]);
    const train = toGraph(
      function train(steps: number) {
        for (let i = 0; i < steps; i++) {
          opt.minimize(() => tf.losses.meanSquaredError(ys, tf.matMul(xs, w.reshape([2, 1])).reshape([2])));
        }
        return w.sum();
      } as Fn,
      { scope: { opt, xs, ys, w } },
    );
    const w2 = tf.variable(tf.tensor([0.5, -0.5]));
    const expected: number[][] = [];
    for (let call = 0; call < 3; call++) {
      for (let i = 0; i < 3; i++) {
        opt.minimize(() => tf.losses.meanSquaredError(ys, tf.matMul(xs, w2.reshape([2, 1])).reshape([2])));
      }
      expected.push(Array.from(await w2.data()));
    }
    w2.dispose();
    // The second optimizer step above moved `opt`'s state for w2 only: reset by rebuilding the variable.
    const got: number[][] = [];
    const hows: string[] = [];
    for (let call = 0; call < 3; call++) {
      const s = (await train(3)) as tf.Tensor;
      hows.push(train.lastRun.how + (train.lastRun.reason ?? ''));
      got.push(Array.from(await w.data()));
      s.dispose();
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed']);
    got.forEach((values, k) => values.forEach((v, i) => expect(v).to.be.closeTo(expected[k]![i]!, 1e-5)));
    tf.dispose([w, xs, ys]);
  });

  it("leaves Math.random's stream where op by op leaves it when a branch that draws is traced untaken", async () => {
    const fn = function maybeNoise(x: number) {
      let y;
      if (x > 0) {
        y = x * 2;
      } else {
        y = tf.randomNormal([]);
      }
      return y;
    } as Fn;
    const drawsFrom = async (g: Fn) => {
      const random = Math.random;
      let calls = 0;
      Math.random = () => (calls++, 0.25);
      const x = tf.scalar(1);
      try {
        expect(await valueOf(await g(x))).to.equal(2);
      } finally {
        Math.random = random;
        x.dispose();
      }
      return calls;
    };
    const g = toGraph(fn);
    const calls = await drawsFrom(g);
    expect(g.lastRun.how, g.lastRun.reason).to.equal('traced');
    expect(calls).to.equal(await drawsFrom(toGraph(fn, { mode: 'eager' })));
    expect(calls).to.equal(0);
  });

  it('draws fresh random values on every replay, and the same ones for a seed', async () => {
    const g = toGraph(function noisy(x: number) {
      const noise: number = tf.randomNormal([4]) as never;
      const fixed: number = tf.randomUniform([4], 0, 1, 'float32', 7) as never;
      return [x + noise, x + fixed];
    } as Fn);
    const x = tf.zeros([4]);
    const draws: number[][][] = [];
    const hows: string[] = [];
    for (let call = 0; call < 3; call++) {
      const [noisy, fixed] = (await g(x)) as tf.Tensor[];
      draws.push([(await valueOf(noisy)) as number[], (await valueOf(fixed)) as number[]]);
      hows.push(g.lastRun.how);
      tf.dispose([noisy!, fixed!]);
    }
    expect(hows).to.deep.equal(['traced', 'replayed', 'replayed']);
    expect(draws[1]![0]).to.not.deep.equal(draws[0]![0]);
    expect(draws[2]![0]).to.not.deep.equal(draws[1]![0]);
    expect(draws[1]![1]).to.deep.equal(draws[0]![1]);
    expect(draws[2]![1]).to.deep.equal(draws[0]![1]);
    // Math.random is JavaScript's, which a replay would not repeat: that call runs op by op, and says why.
    const h = toGraph(function jitter(y: number) {
      return y + Math.random();
    } as Fn);
    const r = (await h(x)) as tf.Tensor;
    expect(h.lastRun.how).to.equal('eager');
    expect(h.lastRun.reason).to.contain('random');
    tf.dispose([r, x]);
  });

  it("runs op by op under { mode: 'eager' } and setMode('eager')", async () => {
    const x = tf.scalar(6, 'int32');
    const g = toGraph(collatz as Fn, { mode: 'eager' });
    await g(x).then((r) => (r as tf.Tensor).dispose());
    await g(x).then((r) => (r as tf.Tensor).dispose());
    expect(g.lastRun).to.deep.equal({ how: 'eager' });
    setMode('eager');
    try {
      const h = toGraph(signOf as Fn);
      await h(x).then((r) => (r as tf.Tensor).dispose());
      await h(x).then((r) => (r as tf.Tensor).dispose());
      expect(h.lastRun).to.deep.equal({ how: 'eager' });
    } finally {
      setMode('graph');
    }
    expect(() => setMode('fast' as 'graph')).to.throw(/'graph' or 'eager'/);
    x.dispose();
  });
});
