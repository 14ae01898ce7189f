// Operators on tensors keep JavaScript's meaning: true division, truncated remainder, weak typing of numbers.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as ag from '../../lib/operators/index.js';
import { StagingError } from '../../lib/index.js';
import { describeWithBackends } from '../helpers/backends.js';

async function read(t: tf.Tensor): Promise<{ dtype: string; values: number[] }> {
  const values = Array.from(await t.data());
  const dtype = t.dtype;
  t.dispose();
  return { dtype, values };
}

describeWithBackends('arithmetic and comparison operators', () => {
  let a: tf.Tensor;
  let b: tf.Tensor;
  beforeEach(() => {
    a = tf.tensor1d([7, -7, 7, -7], 'int32');
    b = tf.tensor1d([2, 2, -2, -2], 'int32');
  });
  afterEach(() => tf.dispose([a, b]));

  it('are exactly the JavaScript operators on plain values', () => {
    const values: unknown[] = [3, -2.5, '4', true, null, undefined, 0, NaN, 'x'];
    for (const x of values) {
      for (const y of values) {
        const [p, q] = [x as number, y as number];
        expect(ag.add(p, q)).to.deep.equal(p + q);
        expect(ag.mod(p, q)).to.deep.equal(p % q);
        expect(ag.div(p, q)).to.deep.equal(p / q);
        expect(ag.less(p, q)).to.equal(p < q);
        expect(ag.equal(p, q)).to.equal(p == q);
        expect(ag.strictEqual(p, q)).to.equal(p === q);
        expect(ag.floorDiv(p, q)).to.deep.equal(Math.floor(p / q));
      }
    }
    expect(ag.increment('5')).to.equal(6);
  });

  it('% is the truncated remainder, with the sign of the dividend', async () => {
    expect(await read(ag.mod(a, b))).to.deep.equal({ dtype: 'int32', values: [1, -1, 1, -1] });
    const x = tf.tensor1d([5.5, -5.5]);
    expect((await read(ag.mod(x, 2))).values).to.deep.equal([1.5, -1.5]);
    x.dispose();
  });

  it('/ is true division: int32 operands give float32', async () => {
    expect(await read(ag.div(a, b))).to.deep.equal({ dtype: 'float32', values: [3.5, -3.5, -3.5, 3.5] });
  });

  it('Math.floor(a / b) and Math.trunc(a / b) stay int32 on int32 operands', async () => {
    expect(await read(ag.floorDiv(a, b))).to.deep.equal({ dtype: 'int32', values: [3, -4, -4, 3] });
    expect(await read(ag.truncDiv(a, b))).to.deep.equal({ dtype: 'int32', values: [3, -3, -3, 3] });
    expect(await read(ag.floor(a))).to.deep.equal({ dtype: 'int32', values: [7, -7, 7, -7] });
  });

  it('a number takes the tensor dtype when it fits, else int32 becomes float32', async () => {
    expect((await read(ag.add(a, 1))).dtype).to.equal('int32');
    expect(await read(ag.add(a, 0.5))).to.deep.equal({ dtype: 'float32', values: [7.5, -6.5, 7.5, -6.5] });
    expect((await read(ag.mul(2, a))).dtype).to.equal('int32');
    expect((await read(ag.less(a, 0.5))).dtype).to.equal('bool');
  });

  it('comparisons and equality give bool tensors', async () => {
    expect(await read(ag.less(a, 0))).to.deep.equal({ dtype: 'bool', values: [0, 1, 0, 1] });
    expect(await read(ag.equal(a, b))).to.deep.equal({ dtype: 'bool', values: [0, 0, 0, 0] });
    expect(await read(ag.notEqual(a, 7))).to.deep.equal({ dtype: 'bool', values: [0, 1, 0, 1] });
    expect(await read(ag.strictEqual(a, -7))).to.deep.equal({ dtype: 'bool', values: [0, 1, 0, 1] });
  });

  it('== with a value that is not a number, boolean or tensor stays an identity check', () => {
    expect(ag.equal(a, undefined)).to.equal(false);
    expect(ag.notEqual(a, null)).to.equal(true);
    const other = { shape: [4] };
    expect(ag.strictEqual(a, other)).to.equal(false);
    expect(ag.strictNotEqual(a, 'x')).to.equal(true);
    expect(ag.strictEqual(a, [7, -7, 7, -7])).to.equal(false);
  });

  it('a bool tensor in arithmetic acts as int32 0 or 1', async () => {
    const flags = tf.tensor1d([true, false], 'bool');
    expect(await read(ag.add(flags, 1))).to.deep.equal({ dtype: 'int32', values: [2, 1] });
    flags.dispose();
  });

  it('a string with a tensor is an error that says how to print the tensor', () => {
    expect(() => ag.add('x = ', a)).to.throw(StagingError, 'console.log');
  });

  it('Math.abs works on tensors', async () => {
    expect(await read(ag.abs(a))).to.deep.equal({ dtype: 'int32', values: [7, 7, 7, 7] });
  });
});
