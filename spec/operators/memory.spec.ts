// Reachability, which decides what a staged loop frees: through arrays, objects, maps and sets, within a budget.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { reachableTensors } from '../../lib/operators/memory.js';

describe('reachable tensors', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('are found through arrays, plain objects, class instances, maps and sets', () => {
    class Holder {
      constructor(readonly inner: unknown) {}
    }
    const [a, b, c, d] = [tf.scalar(1), tf.scalar(2), tf.scalar(3), tf.scalar(4)];
    const root = [{ x: new Holder({ y: a }) }, new Map([['k', b]]), new Set([c]), [[[d]]]];
    expect([...reachableTensors(root)!]).to.have.members([a, b, c, d]);
    tf.dispose([a, b, c, d]);
  });

  it('walk long arrays without overflowing, and give up past the budget, so that nothing is freed', () => {
    const t = tf.scalar(1);
    const long = new Array(300_000).fill(0);
    long.push(t);
    expect([...reachableTensors(long)!]).to.deep.equal([t]);
    expect(reachableTensors(new Array(2_000_000).fill(0))).to.equal(undefined);
    t.dispose();
  });
});
