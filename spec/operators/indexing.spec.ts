// Indexing: x[i], x[i] = v and x.length on tensors along axis 0, with the meaning they have on arrays.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { StagingError, toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/indexing.js';
import { describeWithBackends, expectNoLeaks, rejection } from '../helpers/backends.js';

type Fn = (...args: never[]) => unknown;
const deepCopy = <T>(value: T): T => structuredClone(value);

async function values(result: unknown): Promise<unknown> {
  if (Array.isArray(result)) return Promise.all(result.map(values));
  if (result instanceof tf.Tensor) return result.rank === 0 ? (await result.data())[0] : result.array();
  return result;
}

describeWithBackends('indexing tensors', () => {
  const matrix = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ];

  /** Runs `fn` on arrays as written and converted on tensors made from them; both give the same values. */
  async function agrees(fn: Fn, arrays: unknown[], tensorArgs: unknown[]): Promise<void> {
    const expected = (fn as (...a: unknown[]) => unknown)(...deepCopy(arrays));
    const tensors = tensorArgs.map((a) => (Array.isArray(a) ? tf.tensor(a as number[][], undefined, 'int32') : a));
    try {
      const actual = await expectNoLeaks(async () => {
        const result = await toGraph(fn as (...a: unknown[]) => unknown)(...tensors);
        const read = await values(result);
        const parts = (Array.isArray(result) ? result : [result]).filter((t) => !tensors.includes(t));
        tf.dispose(parts as tf.Tensor[]);
        return read;
      });
      expect(actual, fn.name).to.deep.equal(expected);
    } finally {
      tf.dispose(tensors.filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    }
  }

  it('reads rows along axis 0 with a number or a scalar tensor index, and x.length', async () => {
    await agrees(fx.readRows, [matrix, 1], [matrix, 1]);
    await agrees(fx.readRows, [[4, 5, 6], 2], [[4, 5, 6], tf.scalar(2, 'int32')]);
  });

  it('x[i] = v makes a new tensor for x, and leaves the old one as it was', async () => {
    await agrees(fx.writeRow, [matrix, 1, [0, 0, 0]], [matrix, 1, [0, 0, 0]]);
    await agrees(fx.writeRow, [matrix, 2, [5, 5, 5]], [matrix, tf.scalar(2, 'int32'), 5]);
    const x = tf.tensor1d([1, 2, 3], 'int32');
    const [old, updated] = (await toGraph(fx.keepsOld)(x)) as tf.Tensor[];
    expect(old).to.equal(x);
    expect(await old!.array()).to.deep.equal([1, 2, 3]);
    expect(await updated!.array()).to.deep.equal([5, 2, 3]);
    tf.dispose([x, updated!]);
  });

  it('updates in a staged loop carry the tensor; compound updates and ++ work on elements', async () => {
    await agrees(fx.bumpEach, [[1, 2, 3, 4], 3], [[1, 2, 3, 4], tf.scalar(3, 'int32')]);
    await agrees(fx.setDiagonal, [matrix], [matrix]);
  });

  it('a negative index counts from the end, as in at()', async () => {
    const x = tf.tensor1d([1, 2, 3], 'int32');
    const last = (await toGraph(fx.last)(x)) as tf.Tensor;
    expect(await last.data()).to.deep.equal(new Int32Array([3]));
    last.dispose();
    const i = tf.scalar(-2, 'int32');
    const row = (await toGraph(fx.readRows)(x, i)) as tf.Tensor[];
    expect(await row[1]!.data()).to.deep.equal(new Int32Array([2]));
    tf.dispose([x, i, ...row]);
  });

  it('bad indices and updates are errors that say what to do, and leak nothing', async () => {
    const x = tf.tensor1d([1, 2, 3], 'int32');
    const cases: [Fn, unknown[], string][] = [
      [fx.readRows, [x, 3], 'out of range for axis 0 of length 3'],
      [fx.readRows, [x, 1.5], 'is not an integer'],
      [fx.readRows, [x, tf.scalar(1.5)], 'must be an int32 scalar'],
      [fx.readRows, [tf.scalar(1), 0], 'the tensor is a scalar'],
      [fx.constUpdate, [x], 'which cannot be rebound here: it is const'],
      [fx.usedAsValue, [x], 'write it as a statement of its own'],
      [fx.indexArrayByTensor, [[1, 2], tf.scalar(0, 'int32')], 'indexed with a tensor'],
      [fx.writeRow, [x, 0, tf.tensor1d([1, 2])], 'replaces one slice along axis 0'],
    ];
    for (const [fn, args, message] of cases) {
      const error = await rejection(expectNoLeaks(() => toGraph(fn as (...a: unknown[]) => unknown)(...args)));
      expect(error, `${fn.name}: ${error.message}`).to.be.instanceOf(StagingError);
      expect(error.message, fn.name).to.contain(message);
    }
    tf.dispose([x, ...cases.flatMap(([, args]) => args.filter((a): a is tf.Tensor => a instanceof tf.Tensor))]);
  });
});

describe('indexing plain values', () => {
  it('arrays, objects and strings keep their meaning', async () => {
    const fns: [Fn, unknown[]][] = [
      [fx.readRows, [[1, 2, 3], 1]],
      [fx.readRows, ['abc', 2]],
      [fx.readRows, [{ 0: 'a', 1: 'b', length: 2 }, 1]],
      [fx.writeRow, [[1, 2, 3], 1, 7]],
      [fx.writeRow, [{ a: 1 }, 'b', 2]],
      [fx.bumpEach, [[1, 2, 3], 2]],
      [
        fx.setDiagonal,
        [
          [
            [0, 0],
            [0, 0],
          ],
        ],
      ],
      [fx.last, [[1, 2, 3]]],
      [fx.constUpdate, [[4, 5]]],
      [fx.usedAsValue, [[4, 5]]],
      [fx.memberUpdates, [{ count: 1 }, [1, 2, 3]]],
    ];
    for (const [fn, args] of fns) {
      const expected = (fn as (...a: unknown[]) => unknown)(...deepCopy(args));
      const actual = await toGraph(fn as (...a: unknown[]) => unknown)(...deepCopy(args));
      expect(actual, fn.name).to.deep.equal(expected);
    }
  });
});
