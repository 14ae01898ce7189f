// Runs converted code: steps its generator, entering the call's memory scope around each synchronous step.

import { CallScope } from './memory.js';
import { endPrintBuffer, RESTAGE, startPrintBuffer } from './plain.js';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/**
 * Converted functions are generator functions: `yield` marks every point where they wait (a staged
 * condition being read, a user `await`), and `yield*` enters the operators and the bodies they run.
 * Driving the generator here, rather than writing async functions, means the runtime sees every step
 * begin and end, so tensors are attributed to the right call even when calls interleave. A yielded
 * promise is awaited; any other value is sent straight back, with no trip through the microtask queue.
 */
export function drive<T>(
  generator: Generator<unknown, T, unknown>,
  name: string,
  maximumIterations?: number,
): Promise<T> {
  const scope = new CallScope(name, maximumIterations);
  return new Promise<T>((resolve, reject) => {
    const step = (resume: 'next' | 'throw', input: unknown): void => {
      for (;;) {
        let result: IteratorResult<unknown, T>;
        scope.enter();
        try {
          result = resume === 'next' ? generator.next(input) : generator.throw(input);
        } catch (error) {
          scope.leave();
          scope.abort();
          reject(error);
          return;
        }
        scope.leave();
        if (result.done) {
          scope.finish(result.value);
          resolve(result.value);
          return;
        }
        if (isThenable(result.value)) {
          result.value.then(
            (value) => step('next', value),
            (error: unknown) => step('throw', error),
          );
          return;
        }
        resume = 'next';
        input = result.value;
      }
    };
    step('next', undefined);
  });
}

/**
 * Runs the plain clone, a synchronous copy of the function, under the same memory rule. Plain code then
 * pays no generator or promise per construct. When the clone meets a tensor that needs staging it throws
 * RESTAGE: what it printed is dropped, what it created is freed, and the staged function runs from the
 * start. Only functions whose runs leave no other trace get a clone.
 */
export function runPlainFirst<T>(
  plain: (...args: unknown[]) => unknown,
  /** The staged function, loaded only when a run restages. */
  staged: () => (...args: unknown[]) => Generator<unknown, T, unknown>,
  thisArg: unknown,
  args: unknown[],
  name: string,
  maximumIterations?: number,
): Promise<T> {
  const scope = new CallScope(name, maximumIterations);
  let result: unknown;
  startPrintBuffer();
  scope.enter();
  try {
    result = plain.apply(thisArg, args);
  } catch (error) {
    scope.leave();
    scope.abort();
    if (error === RESTAGE) {
      endPrintBuffer(false);
      return drive(staged().apply(thisArg, args), name, maximumIterations);
    }
    endPrintBuffer(true);
    return Promise.reject(error);
  }
  scope.leave();
  endPrintBuffer(true);
  scope.finish(result);
  return Promise.resolve(result as T);
}
