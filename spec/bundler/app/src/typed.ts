// The app's TypeScript module: types, a decorated method and a module constant, converted at build time.

import * as tf from '@tensorflow/tfjs';
import { convert, toGraph } from 'tfjs-autograph';

interface Limits {
  steps: number;
}

const LIMITS: Limits = { steps: 500 };

export const typedCollatz = toGraph(function typedCollatz(a: tf.Scalar): number {
  let n = tf.abs(a) as unknown as number;
  let steps: number = 0;
  while (n !== 1 && steps < LIMITS.steps) {
    n = n % 2 === 0 ? Math.floor(n / 2) : 3 * n + 1;
    steps = steps + 1;
  }
  return steps;
});

export class Scaler {
  readonly factor: number;

  constructor(factor: number) {
    this.factor = factor;
  }

  @convert()
  async scale(x: tf.Tensor): Promise<tf.Tensor> {
    if ((tf.max(x) as unknown as number) > 10) {
      throw new RangeError('too large');
    }
    return ((x as unknown as number) * this.factor) as unknown as tf.Tensor;
  }
}

// A method of an object: the build cannot name it from the call, so it runs as it is (with a warning).
export const ops = {
  twice(n: number): number {
    return n * 2;
  },
};

export const useOps = toGraph(function useOps(n: number): number {
  return ops.twice(n) + 1;
});
