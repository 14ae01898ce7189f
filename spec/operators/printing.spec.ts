// Printing: tensors in console arguments, also inside `+` and template literals, print their values.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/printing.js';
import { captureLog } from '../helpers/console.js';
import { describeWithBackends, expectNoLeaks } from '../helpers/backends.js';

describeWithBackends('printing text with tensors', () => {
  /** What `fn` prints run as written on `plain`, and converted on `tensor`: the same lines. */
  async function printsAlike(fn: (...args: never[]) => unknown, plain: unknown, tensor: tf.Tensor): Promise<void> {
    const call = fn as (...args: unknown[]) => unknown;
    const expected = await captureLog(async () => call(plain));
    expect(expected.lines, `${fn.name} prints`).to.have.length.above(0);
    const converted = toGraph(call);
    expect((await captureLog(async () => converted(plain))).lines, `${fn.name} on plain values`).to.deep.equal(
      expected.lines,
    );
    const actual = await captureLog(() =>
      expectNoLeaks(async () => {
        const result = await converted(tensor);
        if (result instanceof tf.Tensor && result !== tensor) result.dispose();
      }),
    );
    expect(actual.lines, `${fn.name} on tensors`).to.deep.equal(expected.lines);
    tensor.dispose();
  }

  it('string concatenation and template literals print the tensor value', async () => {
    await printsAlike(fx.describeValue, 3, tf.scalar(3, 'int32'));
    await printsAlike(fx.describeValue, 1.5, tf.scalar(1.5));
  });

  it('inside a staged loop, once per iteration, in program order', async () => {
    await printsAlike(fx.countUp, 3, tf.scalar(3, 'int32'));
  });

  it('a tensor of rank 1 or more prints as JavaScript prints its nested array in text', async () => {
    await printsAlike(
      fx.matrixText,
      [
        [1, 2],
        [3, 4],
      ],
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        undefined,
        'int32',
      ),
    );
    await printsAlike(fx.matrixText, true, tf.scalar(true, 'bool'));
  });
});

describeWithBackends('printing with every console method', () => {
  it('log, info, warn, error and debug print tensor values in program order, once', async () => {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const capture = async (run: () => unknown): Promise<unknown[][]> => {
      const lines: unknown[][] = [];
      const originals = methods.map((method) => console[method]);
      methods.forEach((method) => {
        console[method] = (...args: unknown[]) => void lines.push([method, ...args]);
      });
      try {
        await run();
      } finally {
        methods.forEach((method, i) => {
          console[method] = originals[i]!;
        });
      }
      return lines;
    };
    const expected = await capture(() => fx.everyMethod(3));
    expect(expected).to.have.length(5);
    const g = toGraph(fx.everyMethod);
    expect(await capture(() => g(3))).to.deep.equal(expected);
    const t = tf.scalar(3, 'int32');
    expect(await capture(() => expectNoLeaks(() => g(t)))).to.deep.equal(expected);
    t.dispose();
  });
});
