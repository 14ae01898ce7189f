// toGraph: converts a function so that its control flow is staged when conditions are tensors.

import { graphOf } from './conversions.js';
import { checkOptions, type AnyFunction, type ConvertOptions, type GraphFunction } from './options.js';

/**
 * `toGraph` for the given default names: the api entry passes `tf` and the `autograph` namespace, which
 * converted code sees unless the scope option names them.
 */
export function toGraphWith(defaults: Readonly<Record<string, unknown>>) {
  /**
   * Converts `fn` so that its control flow is staged when conditions are tensors. The result is called
   * like `fn` (with the same `this`) and returns a promise: staged conditions are read asynchronously.
   */
  return function toGraph<F extends AnyFunction>(fn: F, options?: ConvertOptions): GraphFunction<F> {
    return graphOf(fn, checkOptions(options, 'toGraph'), defaults) as GraphFunction<F>;
  };
}
