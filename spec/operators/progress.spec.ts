// toGraph's onProgress: the outermost loop of a call with a known trip count reports, traced, replayed and op by op.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toGraph, type LoopProgress } from '../../lib/index.js';
import * as fx from '../fixtures/progress.js';
import { describeWithBackends } from '../helpers/backends.js';

/** A converted function whose progress reports are collected as 'done/total' strings. */
function withReports(fn: (...args: unknown[]) => unknown, options: { mode?: 'eager' } = {}) {
  const reports: string[] = [];
  const onProgress = ({ done, total }: LoopProgress) => reports.push(`${done}/${total}`);
  return { g: toGraph(fn, { ...options, onProgress }), reports };
}

describeWithBackends('loop progress (onProgress)', () => {
  it('reports the outermost counted loops as they start, after each iteration, traced and replayed', async () => {
    const { g, reports } = withReports(fx.train);
    const expected = ['0/4', '1/4', '2/4', '3/4', '4/4', '0/2', '1/2', '2/2'];
    for (const how of ['traced', 'replayed', 'replayed']) {
      reports.length = 0;
      const [steps, xs] = [tf.scalar(4, 'int32'), tf.tensor([1, 2])];
      const result = (await g(steps, xs)) as tf.Tensor[];
      expect(g.lastRun.how).to.equal(how);
      expect(reports).to.deep.equal(expected);
      expect(Array.from(await result[1]!.data())).to.deep.equal([3]);
      tf.dispose([...result, steps, xs]);
    }
  });

  it('reports op by op too, counting `<=`, and nothing on the plain path', async () => {
    const { g, reports } = withReports(fx.sumTo, { mode: 'eager' });
    const n = tf.scalar(3);
    const result = (await g(n)) as tf.Tensor;
    expect(g.lastRun.how).to.equal('eager');
    expect(reports).to.deep.equal(['0/3', '1/3', '2/3', '3/3']);
    expect(Array.from(await result.data())).to.deep.equal([6]);
    tf.dispose([result, n]);
    // On plain values the synchronous copy runs first: JavaScript's own loops, which report nothing.
    const plain = withReports(fx.sumOfNumbers);
    expect(await plain.g(4)).to.equal(10);
    expect(plain.g.lastRun.how).to.equal('plain');
    expect(plain.reports).to.deep.equal([]);
  });

  it('gives a loop that ends early its count as total at its end, and reports nothing for while loops', async () => {
    const { g, reports } = withReports(fx.firstOver, { mode: 'eager' });
    const xs = tf.tensor([1, 5, 2, 9, 3, 4, 0, 0, 0, 0]);
    const result = (await g(xs, 4)) as tf.Tensor;
    expect(Array.from(await result.data())).to.deep.equal([3]);
    expect(reports).to.deep.equal(['0/10', '1/10', '2/10', '2/2']);
    tf.dispose([result, xs]);
  });

  it('stops reporting when a call is aborted, and the next call reports from its outermost loop again', async () => {
    const controller = new AbortController();
    const reports: string[] = [];
    const g = toGraph(fx.longLoop, {
      mode: 'eager',
      onProgress: ({ done, total }) => {
        reports.push(`${done}/${total}`);
        if (done === 2) controller.abort();
      },
    });
    const n = tf.scalar(1000, 'int32');
    const error = await g
      .withSignal(controller.signal)(n)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.name).to.equal('AbortError');
    expect(reports).to.deep.equal(['0/1000', '1/1000', '2/1000']);
    reports.length = 0;
    const three = tf.scalar(3, 'int32');
    const result = (await g(three)) as tf.Tensor;
    expect(reports).to.deep.equal(['0/3', '1/3', '2/3', '3/3']);
    tf.dispose([result, n, three]);
  });

  it('counts the items of arrays, Maps and strings, and a bound that is an array length', async () => {
    const { g, reports } = withReports(fx.overCollections, { mode: 'eager' });
    const x = tf.scalar(0);
    const table = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const result = (await g(x, [1, 2, 3], table, 'ab')) as tf.Tensor;
    expect(Array.from(await result.data())).to.deep.equal([17]);
    expect(reports).to.deep.equal([
      '0/3',
      '1/3',
      '2/3',
      '3/3',
      '0/2',
      '1/2',
      '2/2',
      '0/2',
      '1/2',
      '2/2',
      '0/3',
      '1/3',
      '2/3',
      '3/3',
    ]);
    tf.dispose([result, x]);
  });

  it('rejects an onProgress that is not a function, saying what to pass', () => {
    expect(() => toGraph((x: number) => x, { onProgress: 5 as never })).to.throw(
      TypeError,
      /options\.onProgress must be a function, such as \(\{ done, total \}\) =>/,
    );
  });
});
