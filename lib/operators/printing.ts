// console methods called from converted code: tensors print as their JavaScript values, in program order.

import { isTensor, tensorValue } from './tensors.js';

/**
 * Calls `target[method](...args)`. When an argument is a tensor, its value is read asynchronously first
 * (the driver waits), so output keeps program order and nothing reads synchronously.
 */
export function* consoleCall(target: unknown, method: string, args: unknown[]): Generator<unknown, unknown, unknown> {
  const fn = (target as Record<string, (...values: unknown[]) => unknown>)[method]!;
  if (!args.some(isTensor)) return fn.apply(target, args);
  const values = (yield Promise.all(args.map((arg) => (isTensor(arg) ? tensorValue(arg) : arg)))) as unknown[];
  return fn.apply(target, values);
}
