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
