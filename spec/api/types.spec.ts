// GraphFunction's types: a function typed on numbers takes tensors through toGraph without `any` (checked by tsc, which npm test runs on specs).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toGraph, type GraphFunction } from '../../lib/index.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';

/** Written for numbers; operators and Math work on tensors in converted code. */
function huber(a: number, delta: number): number {
  return Math.abs(a) <= delta ? (a * a) / 2 : delta * (Math.abs(a) - delta / 2);
}

function isPositive(x: number): boolean {
  return x > 0;
}

describeWithBackends('GraphFunction types', () => {
  it('takes numbers as the original does, and resolves to its type', async () => {
    const g: GraphFunction<typeof huber> = toGraph(huber);
    const value: number = await g(3, 1);
    expect(value).to.equal(2.5);
    const positive: boolean = await toGraph(isPositive)(2);
    expect(positive).to.equal(true);
  });

  it('takes tensors where the original takes numbers, and resolves to number | tf.Tensor', async () => {
    const g = toGraph(huber);
    const x = tf.scalar(-3);
    const result: number | tf.Tensor = await g(x, 1);
    // A tensor argument may make a tensor result: narrowing is the caller's.
    if (!(result instanceof tf.Tensor)) expect.fail('a tensor argument gives a tensor here');
    expect((await result.data())[0]).to.equal(2.5);
    const delta = tf.scalar(1);
    const both = await g(x, delta);
    expect(await valueOf(both, [x, delta])).to.equal(2.5);
    const test = await toGraph(isPositive).withSignal(new AbortController().signal)(tf.scalar(-1));
    expect(await valueOf(test)).to.equal(false);
    tf.dispose([x, delta, result]);
  });

  it('rejects what the original does not take, at compile time', () => {
    const g = toGraph(huber);
    // Not called: these lines only have to fail type checking.
    const calls = [
      // @ts-expect-error a string is neither a number nor a tensor
      () => g('3', 1),
      // @ts-expect-error too few arguments
      () => g(tf.scalar(3)),
      // @ts-expect-error the result of a tensor call may be a tensor, not only a number
      async (): Promise<number> => g(tf.scalar(3), 1),
    ];
    expect(calls).to.have.length(3);
  });
});
