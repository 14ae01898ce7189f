// The announcement examples: huberLoss, collatz and f(n), on tensors and on plain numbers.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toCode, toGraph } from '../lib/index.js';
import { collatz, f, huberLoss, trainSine } from './fixtures/examples.js';
import { train } from './fixtures/training.js';
import { EXAMPLES } from '../demo/catalog.js';
import { captureLog } from './helpers/console.js';
import { describeWithBackends, expectNoLeaks, valueOf } from './helpers/backends.js';

describeWithBackends('examples', (backend) => {
  const huber = toGraph(huberLoss, { scope: { delta: 1.0 } });
  const collatzGraph = toGraph(collatz);
  const fGraph = toGraph(f);

  it('huberLoss stages its conditional on a tensor and gives 0.125 and 8.5', async () => {
    for (const [input, expected] of [
      [0.5, 0.125],
      [9, 8.5],
    ] as const) {
      const x = tf.scalar(input);
      const result = await expectNoLeaks(async () => {
        const out = await huber(x);
        expect(out).to.be.instanceOf(tf.Tensor);
        return valueOf(out);
      });
      expect(result).to.be.closeTo(expected, 1e-6);
      x.dispose();
    }
  });

  it('huberLoss gives the same values for plain numbers', async () => {
    expect(await valueOf(await huber(0.5))).to.be.closeTo(0.125, 1e-6);
    expect(await valueOf(await huber(9))).to.be.closeTo(8.5, 1e-6);
  });

  it('collatz(27) is 111 as an int32 tensor, a float32 tensor and a number', async () => {
    for (const dtype of ['int32', 'float32'] as const) {
      const a = tf.scalar(27, dtype);
      const out = await expectNoLeaks(async () => {
        const result = await collatzGraph(a);
        expect(result).to.be.instanceOf(tf.Tensor);
        expect((result as unknown as tf.Tensor).dtype).to.equal('int32');
        return valueOf(result);
      });
      expect(out).to.equal(111);
      expect(await a.data()).to.deep.equal(dtype === 'int32' ? new Int32Array([27]) : new Float32Array([27]));
      a.dispose();
    }
    expect(await collatzGraph(27)).to.equal(111);
  });

  it('f(n) prints and returns as the original does, on numbers and int32 tensors', async () => {
    for (const [n, printed, returned] of [
      [2, [3, 4, 5], 5],
      [-1, [], -1],
      [7, [], 7],
    ] as const) {
      const plain = await captureLog(() => fGraph(n));
      expect(plain.lines).to.deep.equal(printed.map((value) => [value]));
      expect(plain.result).to.equal(returned);

      const input = tf.scalar(n, 'int32');
      const before = tf.memory().numTensors;
      const staged = await captureLog(() => fGraph(input));
      expect(staged.lines).to.deep.equal(printed.map((value) => [value]));
      expect(staged.result).to.be.instanceOf(tf.Tensor);
      const result = staged.result as unknown as tf.Tensor;
      expect(result.dtype).to.equal('int32');
      expect((await result.data())[0]).to.equal(returned);
      // When the loop never runs, the result is the input itself, as in eager code.
      if (result !== input) result.dispose();
      expect(tf.memory().numTensors).to.equal(before);
      input.dispose();
    }
  });

  // 200 on cpu; SwiftShader reads every staged condition slowly, so webgpu runs a smaller crowd.
  const concurrent = backend === 'webgpu' ? 40 : 200;
  it(`${concurrent} concurrent collatz calls are all right, leak nothing and leave their inputs intact`, async function () {
    this.timeout(120_000);
    const expectedSteps = (n: number) => {
      let steps = 0;
      while (n !== 1) {
        n = n % 2 === 0 ? n / 2 : 3 * n + 1;
        steps++;
      }
      return steps;
    };
    const inputs = Array.from({ length: concurrent }, (_, i) => tf.scalar(i + 1, 'int32'));
    const before = tf.memory().numTensors;
    const results = await Promise.all(inputs.map((input) => collatzGraph(input)));
    expect(tf.memory().numTensors).to.equal(before + results.length);
    const values = await Promise.all(results.map((result) => valueOf(result)));
    expect(values).to.deep.equal(inputs.map((_, i) => expectedSteps(i + 1)));
    expect(tf.memory().numTensors).to.equal(before);
    const read = await Promise.all(inputs.map((input) => input.data()));
    expect(read.map((data) => data[0])).to.deep.equal(inputs.map((_, i) => i + 1));
    tf.dispose(inputs);
  });

  it('toCode(huberLoss) shows the staged conditional', () => {
    const code = toCode(huberLoss);
    expect(code).to.contain('function* if_body()');
    expect(code).to.contain('function* else_body()');
    expect(code).to.contain('yield* ag__.ifStmt(ag__.lessEqual(tf.abs(a), delta), if_body, else_body');
  });
});

describeWithBackends('a training loop in one call', (backend) => {
  it('trains a small network over a tensor step count, prints the loss, and the loss goes down', async function () {
    this.timeout(120_000);
    const before = tf.memory().numTensors;
    // Variables outlive tf.tidy; the tensors they were made from do not.
    const model = tf.tidy(() => ({
      w1: tf.variable(tf.randomNormal([1, 8], 0, 1, 'float32', 1)),
      b1: tf.variable(tf.zeros([8])),
      w2: tf.variable(tf.randomNormal([8, 1], 0, 0.5, 'float32', 2)),
      b2: tf.variable(tf.zeros([1])),
    }));
    const optimizer = tf.train.sgd(0.1);
    const xs = tf.tidy(() => tf.linspace(-2, 2, 16).reshape([16, 1]));
    const ys = tf.sin(xs);
    const steps = tf.scalar(backend === 'webgpu' ? 30 : 60, 'int32');
    const g = toGraph(train);
    const { result, lines } = await captureLog(async () => {
      const [first, last] = (await g(steps, model, optimizer, xs, ys)) as unknown as tf.Tensor[];
      return [await valueOf(first), await valueOf(last)] as number[];
    });
    // Training goes on where it stopped, replayed: the loss at its first step is the last one's, or lower.
    const more = await captureLog(async () => {
      const [first, last] = (await g(steps, model, optimizer, xs, ys)) as unknown as tf.Tensor[];
      return [await valueOf(first), await valueOf(last)] as number[];
    });
    expect(g.lastRun.how, g.lastRun.reason).to.equal('replayed');
    expect(more.result[0]).to.be.at.most(result[1]! * 1.01);
    expect(more.lines).to.have.length(lines.length);
    const [first, last] = result;
    expect(last).to.be.below(first! / 10);
    expect(lines.length).to.equal(backend === 'webgpu' ? 3 : 6);
    expect(String(lines[0]![0])).to.match(/^step 0: loss \d/);
    tf.dispose([...Object.values(model), xs, ys, steps]);
    optimizer.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it("the demo's trainSine frees everything it made, its variables included", async function () {
    this.timeout(120_000);
    const steps = tf.scalar(backend === 'webgpu' ? 21 : 41, 'int32');
    const g = toGraph(trainSine);
    const { result, lines } = await captureLog(() => expectNoLeaks(async () => valueOf(await g(steps))));
    expect(result as number).to.be.below(0.05);
    expect(lines.map((line) => line.slice(0, 2))).to.deep.equal(
      (backend === 'webgpu' ? [0, 20] : [0, 20, 40]).map((step) => ['step', step]),
    );
    // A later call replays the graph (other specs may have traced it first), with variables of its own.
    const again = await captureLog(() => expectNoLeaks(async () => valueOf(await g(steps))));
    expect(g.lastRun.how, g.lastRun.reason).to.equal('replayed');
    expect(again.result).to.be.closeTo(result as number, 1e-5);
    expect(again.lines.map((line) => line.slice(0, 2))).to.deep.equal(lines.map((line) => line.slice(0, 2)));
    steps.dispose();
  });

  it("the demo's hand-written eager versions give the examples' results and free what they make", async function () {
    this.timeout(120_000);
    for (const example of EXAMPLES) {
      // The tensor inputs (the eager versions take tensors), and the number the expected value is.
      for (const inputs of example.inputs.filter((text) => text.startsWith('tf.'))) {
        const [arg] = new Function('tf', `return [${inputs}];`)(tf) as tf.Tensor[];
        const measure = 'measure' in example ? (example.measure as (value: unknown) => unknown) : (v: unknown) => v;
        const { result } = await captureLog(() =>
          expectNoLeaks(async () => {
            const value = (await example.eager(arg as never)) as unknown;
            const picked = measure(value) as tf.Tensor;
            const number = (await picked.data())[0]!;
            // Everything the eager version gave back (a tensor, or an object of tensors) is the caller's to free.
            tf.dispose(value instanceof tf.Tensor ? value : Object.values(value as object));
            return number;
          }),
        );
        const tolerance = ('tolerance' in example ? example.tolerance : undefined) ?? 1e-5;
        const expected = example.expected[inputs as keyof typeof example.expected] as number;
        expect(result, `${example.id}(${inputs})`).to.be.closeTo(expected, tolerance);
        arg!.dispose();
      }
    }
  });
});
