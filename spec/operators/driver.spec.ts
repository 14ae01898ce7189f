// The driver: long runs let other tasks run every 50 ms, and an AbortSignal stops a run and frees its tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toGraph } from '../../lib/index.js';
import * as fixtures from '../fixtures/endless.js';
import { describeWithBackends, rejection, valueOf } from '../helpers/backends.js';

type Fn = (...args: unknown[]) => unknown;

describeWithBackends('driving converted code', () => {
  it('a timer fires within 100 ms of its time while an endless staged loop runs', async function () {
    this.timeout(10_000);
    const a = tf.scalar(1);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = toGraph(fixtures.foreverMaking as Fn, { signal: controller.signal })(a);
    const start = performance.now();
    const late = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(performance.now() - start - 100), 100),
    );
    controller.abort();
    const error = await rejection(run);
    expect(late, 'how late the timer fired, in ms').to.be.below(100);
    expect(error.name).to.equal('AbortError');
    expect(tf.memory().numTensors, 'tensors left').to.equal(before);
    a.dispose();
  });

  it('an abort stops the loop at once, rejects with the signal’s reason and leaks nothing', async () => {
    const a = tf.scalar(1);
    const before = tf.memory().numTensors;
    const g = toGraph(fixtures.foreverMaking as Fn);
    const controller = new AbortController();
    const run = g.withSignal(controller.signal)(a);
    setTimeout(() => controller.abort(), 30);
    const start = performance.now();
    expect((await rejection(run)).name).to.equal('AbortError');
    expect(performance.now() - start).to.be.below(1000);
    expect(tf.memory().numTensors, 'tensors left').to.equal(before);
    // A reason of the caller's own is what the call rejects with.
    const custom = new AbortController();
    const reason = new Error('stopped by the user');
    const second = g.withSignal(custom.signal)(a);
    setTimeout(() => custom.abort(reason), 10);
    expect(await rejection(second)).to.equal(reason);
    // An aborted signal stops a call before it starts, on plain values too.
    expect((await rejection(g.withSignal(AbortSignal.abort())(1))).name).to.equal('AbortError');
    expect(tf.memory().numTensors, 'tensors left').to.equal(before);
    a.dispose();
  });

  it('an abort runs the finally blocks to their end, even ones that wait for a read', async () => {
    const a = tf.scalar(1);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const log: string[] = [];
    const run = toGraph(fixtures.foreverWithCleanup as Fn).withSignal(controller.signal)(a, log);
    setTimeout(() => controller.abort(), 30);
    expect((await rejection(run)).name).to.equal('AbortError');
    expect(log).to.deep.equal(['stopped after some iterations']);
    expect(tf.memory().numTensors, 'tensors left').to.equal(before);
    a.dispose();
  });

  it('a signal that is not an AbortSignal is a TypeError that says what to pass', () => {
    expect(() => toGraph(fixtures.forever as Fn, { signal: {} as AbortSignal })).to.throw(TypeError, 'AbortSignal');
    expect(() => toGraph(fixtures.forever as Fn).withSignal('stop' as unknown as AbortSignal)).to.throw(
      TypeError,
      'new AbortController().signal',
    );
  });

  it('calls that end without an abort are unaffected by their signal', async () => {
    const controller = new AbortController();
    const g = toGraph(fixtures.forever as Fn, { signal: controller.signal });
    const zero = tf.scalar(0);
    expect(await valueOf(await g(zero))).to.equal(0);
    zero.dispose();
  });
});
