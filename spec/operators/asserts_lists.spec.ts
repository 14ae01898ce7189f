// Asserts (autograph.assert, node:assert by identity, console.assert) and lists (setElementType, stack).
import * as nodeAssert from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { AssertionError, StagingError, toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/asserts_lists.js';
import { describeWithBackends, expectNoLeaks, valueOf, rejection } from '../helpers/backends.js';

type Fn = (...args: unknown[]) => unknown;
const assert = nodeAssert.default;

async function runWith(fn: Fn, arg: unknown, scope?: Record<string, unknown>): Promise<unknown> {
  return expectNoLeaks(async () => valueOf(await toGraph(fn, scope ? { scope } : undefined)(arg), [arg]));
}

describeWithBackends('asserts', () => {
  it("AutoGraph's example: autograph.assert passes and fails as it should, with the user's line", async () => {
    for (const x of [3, tf.scalar(3, 'int32')]) expect(await runWith(fx.assertsNonZero as Fn, x)).to.equal(9);
    for (const x of [0, tf.scalar(0, 'int32')]) {
      const error = await rejection(runWith(fx.assertsNonZero as Fn, x));
      expect(error).to.be.instanceOf(AssertionError);
      expect(error.message).to.contain('Do not pass zero!').and.contain('In assertsNonZero, line 2:');
    }
  });

  it("node:assert's assert and assert.ok are recognised by identity and check the tensor's value", async () => {
    const scope = { assert };
    expect(await runWith(fx.nodeAsserts as Fn, tf.scalar(5, 'int32'), scope)).to.equal(6);
    for (const [x, message] of [
      [-1, 'x must not be negative'],
      [200, 'x must be below 100'],
    ] as const) {
      const error = await rejection(runWith(fx.nodeAsserts as Fn, tf.scalar(x, 'int32'), scope));
      expect(error).to.be.instanceOf(assert.AssertionError);
      expect(error.message).to.contain(message);
    }
  });

  it('an assert inside a staged loop fails on the iteration where it should, and frees everything', async () => {
    expect(await runWith(fx.assertInLoop as Fn, tf.scalar(3, 'int32'))).to.equal(3);
    const error = await rejection(runWith(fx.assertInLoop as Fn, tf.scalar(5, 'int32')));
    expect(error.message).to.contain('i reached 3');
  });

  it('console.assert logs through console.warn and does not throw', async () => {
    const warned: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      expect(await runWith(fx.consoleAsserts as Fn, tf.scalar(2, 'int32'))).to.equal(2);
      expect(await runWith(fx.consoleAsserts as Fn, tf.scalar(-1, 'int32'))).to.equal(-1);
      fx.consoleAsserts(-1);
    } finally {
      console.warn = original;
    }
    expect(warned).to.deep.equal([
      ['Assertion failed: x is', -1],
      ['Assertion failed: x is', -1],
    ]);
  });

  it('a non-scalar condition is an error that says to reduce it', async () => {
    const v = tf.tensor1d([1, 0], 'int32');
    const error = await rejection(runWith(fx.assertsNonZero as Fn, v));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('tf.all');
    v.dispose();
  });
});

describeWithBackends('lists', () => {
  it("AutoGraph's example: a list appended in a staged loop stacks into an int32 tensor", async () => {
    const n = tf.scalar(5, 'int32');
    const result = await expectNoLeaks(async () => {
      const t = (await toGraph(fx.range as Fn)(n)) as tf.Tensor;
      expect(t.dtype).to.equal('int32');
      return valueOf(t);
    });
    expect(result).to.deep.equal([0, 1, 2, 3, 4]);
    const plain = (await toGraph(fx.range as Fn)(3)) as tf.Tensor;
    expect(plain.dtype).to.equal('int32');
    expect(await valueOf(plain)).to.deep.equal([0, 1, 2]);
    n.dispose();
  });

  it('pop, length and indexing work on lists; the element type of tensors comes from the first one', async () => {
    for (const n of [4, tf.scalar(4, 'int32')]) {
      const [last, length, first, stacked] = await expectNoLeaks(async () => {
        const out = (await toGraph(fx.pushPop as Fn)(n)) as unknown[];
        return Promise.all(out.map((item) => valueOf(item)));
      });
      expect([last, length, first, stacked]).to.deep.equal([30, 3, 0, [0, 10, 20]]);
      if (n instanceof tf.Tensor) n.dispose();
    }
    const [x, three] = [tf.tensor1d([1, 2]), tf.scalar(3, 'int32')];
    const rows = await expectNoLeaks(async () => {
      const t = (await toGraph(fx.listOfTensors as Fn)(x, three)) as tf.Tensor;
      expect(t.dtype).to.equal('float32');
      return valueOf(t);
    });
    expect(rows).to.deep.equal([
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
    tf.dispose([x, three]);
  });

  it('other array methods on a list inside a staged loop are an error that names the method', async () => {
    const error = await rejection(runWith(fx.spliceInLoop as Fn, tf.scalar(2, 'int32')));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("'splice'").and.contain('push and shrinks with pop');
    expect(await toGraph(fx.spliceInLoop as Fn)(2)).to.equal(0);
  });

  it('stacking an empty list needs its element type', async () => {
    const error = await rejection(runWith(fx.emptyStack as Fn, tf.scalar(0, 'int32')));
    expect(error.message).to.contain("autograph.setElementType(list, 'float32')");
    const empty = (await toGraph(fx.range as Fn)(tf.scalar(0, 'int32'))) as tf.Tensor;
    expect(empty.shape).to.deep.equal([0]);
    expect(empty.dtype).to.equal('int32');
    empty.dispose();
  });
});
