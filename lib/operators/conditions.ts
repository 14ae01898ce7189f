// Reading a staged condition: a scalar tensor's JavaScript truthiness, read asynchronously.

import { StagingError } from '../errors.js';
import { isTensor, type Tensor } from './tensors.js';
import { currentTracer } from './tracing.js';

/**
 * Reads a staged condition: a scalar tensor, true when non-zero and not NaN (JavaScript's truthiness).
 * The read is asynchronous (`yield` hands the promise to the driver): synchronous reads throw on WebGPU
 * in Node and return zeros in headless Chromium.
 */
export function* readCondition(
  condition: Tensor,
  construct: string,
  reduceHint = 'Reduce it with tf.any(...) (true if any element is) or tf.all(...) (true if every element is).',
  /** Whether a graph trace records this decision (a staged if or loop, an assert it repeats). */
  recorded = false,
): Generator<unknown, boolean, unknown> {
  if (condition.isDisposed) {
    throw new StagingError(
      `The condition of ${construct} is a disposed tensor. Do not dispose a tensor you still use.`,
    );
  }
  if (condition.dtype === 'string') {
    throw new StagingError(`The condition of ${construct} is a string tensor; compare it to get a bool tensor.`);
  }
  if (condition.rank !== 0) {
    throw new StagingError(
      `The condition of ${construct} is a tensor of shape [${condition.shape.join(', ')}], but a condition must be ` +
        `a scalar. ${reduceHint}`,
    );
  }
  const tracer = currentTracer();
  if (tracer && !recorded) {
    tracer.fail(`${construct} decides on a tensor's value, which graph mode does not record yet`);
  }
  const values = (yield tracer ? tracer.permitRead(() => condition.data()) : condition.data()) as ArrayLike<number>;
  return isTruthy(condition, values[0]!);
}

/** JavaScript's truthiness of a scalar tensor's value, read as a number: non-zero and not NaN. */
export const isTruthy = (condition: Tensor, value: number) =>
  condition.dtype === 'bool' ? value !== 0 : value !== 0 && !Number.isNaN(value);

export function* truthy(condition: unknown, construct: string, recorded = false): Generator<unknown, boolean, unknown> {
  return isTensor(condition) ? yield* readCondition(condition, construct, undefined, recorded) : Boolean(condition);
}

/** What to do about control flow on a tensor inside a callback, which cannot wait for a read. */
export const CALLBACK_HINT =
  'A callback runs synchronously, because the code that calls it expects a value at once, so it cannot wait ' +
  'for a tensor. Move that control flow out of the callback, or compute with tf.where(condition, a, b).';

/** The condition of an if, loop, ?:, && or || inside a callback: a tensor there is an error. */
export function conditionInCallback(value: unknown, callback: string): unknown {
  if (!isTensor(value)) return value;
  throw new StagingError(`A tensor is the condition of control flow inside ${callback}. ${CALLBACK_HINT}`);
}
