// Text of values that may hold tensors: `String(x)` and `JSON.stringify`, which give a tensor's JavaScript
// value (read asynchronously, as a print reads it) where plain code gives a number's.

import { StagingError } from '../errors.js';
import { isTensor, tensorValue, type Tensor } from './tensors.js';

/**
 * `String(x)`: a tensor's JavaScript value as text (a scalar as its number or boolean, other tensors as
 * their nested arrays, which String joins with commas), read asynchronously; anything else as String
 * gives it.
 */
export function* toStringOf(...args: unknown[]): Generator<unknown, string, unknown> {
  const [x] = args;
  if (!isTensor(x)) return args.length === 0 ? String() : String(x);
  return String(yield tensorValue(x as Tensor));
}

/** `String(x)` inside a callback, which cannot wait for a read: a tensor is an error. */
export function toStringOfInCallback(...args: unknown[]): string {
  const [x] = args;
  if (isTensor(x)) {
    throw new StagingError(
      'String(...) inside a callback gets a tensor, whose value needs an asynchronous read, but the callback ' +
        'runs synchronously. Convert the tensor outside the callback, or keep it a tensor.',
    );
  }
  return args.length === 0 ? String() : String(x);
}

type Replacer = ((this: unknown, key: string, value: unknown) => unknown) | readonly (string | number)[];

/**
 * `JSON.stringify(value, replacer, space)` with `swap` applied to each value before the replacer sees it:
 * the hook that turns tensors into their values. A replacer array (an allowlist, which also orders the
 * keys) filters a copy in which `swap` has already run.
 */
export function stringifyWith(args: readonly unknown[], swap: (value: unknown) => unknown): string | undefined {
  const [value, replacer, space] = args as [unknown, Replacer | null | undefined, string | number | undefined];
  if (Array.isArray(replacer)) {
    const copy = JSON.stringify(value, (_key, item: unknown) => swap(item));
    return copy === undefined ? undefined : JSON.stringify(JSON.parse(copy), replacer as (string | number)[], space);
  }
  const user = typeof replacer === 'function' ? replacer : undefined;
  return JSON.stringify(
    value,
    function (this: unknown, key: string, item: unknown) {
      const swapped = swap(item);
      return user ? user.call(this, key, swapped) : swapped;
    },
    space,
  );
}

/** The tensors JSON.stringify would meet in `value`, in the order it meets them (toJSON methods run). */
function tensorsIn(value: unknown): Tensor[] {
  const found: Tensor[] = [];
  JSON.stringify(value, (_key, item: unknown) => {
    if (!isTensor(item)) return item;
    found.push(item as Tensor);
    return null;
  });
  return found;
}

/**
 * `JSON.stringify(...)`: tensors anywhere in the value give their JavaScript values (scalars as numbers
 * or booleans, other tensors as nested arrays), as numbers and arrays would give; the replacer sees the
 * values. Without tensors it is JSON.stringify itself.
 */
export function* jsonStringify(...args: unknown[]): Generator<unknown, string | undefined, unknown> {
  const tensors = tensorsIn(args[0]);
  if (tensors.length === 0) return JSON.stringify(...(args as Parameters<typeof JSON.stringify>));
  const values = (yield Promise.all(tensors.map((t) => tensorValue(t)))) as unknown[];
  const read = new Map<unknown, unknown>(tensors.map((t, i) => [t, values[i]]));
  return stringifyWith(args, (item) => {
    if (!isTensor(item)) return item;
    if (!read.has(item)) {
      throw new StagingError(
        'The replacer given to JSON.stringify returned a tensor, whose value would need a second read. ' +
          'Return its value instead: read it before the call, or keep the tensor in the value itself.',
      );
    }
    return read.get(item);
  });
}

/** `JSON.stringify(...)` inside a callback, which cannot wait for a read: a tensor is an error. */
export function jsonStringifyInCallback(...args: unknown[]): string | undefined {
  return stringifyWith(args, (item) => {
    if (isTensor(item)) {
      throw new StagingError(
        'JSON.stringify inside a callback meets a tensor, whose value needs an asynchronous read, but the ' +
          'callback runs synchronously. Stringify the value outside the callback.',
      );
    }
    return item;
  });
}
