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
 * `JSON.stringify(value, replacer, space)` with `swap` applied to each value before the replacer sees it,
 * and to what the replacer returns: the hook that turns tensors into their values. A replacer array (an
 * allowlist) keeps, in each object, the listed keys in the list's order, as JSON does.
 */
export function stringifyWith(args: readonly unknown[], swap: (value: unknown) => unknown): string | undefined {
  const [value, replacer, space] = args as [unknown, Replacer | null | undefined, string | number | undefined];
  const user = typeof replacer === 'function' ? replacer : undefined;
  const allowed = Array.isArray(replacer) ? [...new Set(replacer.map(String))] : undefined;
  return JSON.stringify(
    value,
    function (this: unknown, key: string, item: unknown) {
      const swapped = swap(item);
      if (allowed && swapped !== null && typeof swapped === 'object' && !Array.isArray(swapped)) {
        const object = swapped as Record<string, unknown>;
        return Object.fromEntries(allowed.map((name) => [name, object[name]]));
      }
      return user ? swap(user.call(this, key, swapped)) : swapped;
    },
    space,
  );
}

/**
 * `JSON.stringify(...)`: tensors anywhere in the value give their JavaScript values (scalars as numbers
 * or booleans, other tensors as nested arrays), as numbers and arrays would give; the replacer sees the
 * values. A first pass finds the tensors; without any, its text is the answer, as JSON.stringify gives it.
 */
export function* jsonStringify(...args: unknown[]): Generator<unknown, string | undefined, unknown> {
  const found: Tensor[] = [];
  const first = stringifyWith(args, (item) => {
    if (!isTensor(item)) return item;
    found.push(item as Tensor);
    return null;
  });
  if (found.length === 0) return first;
  const tensors = [...new Set(found)];
  const values = (yield Promise.all(tensors.map((t) => tensorValue(t)))) as unknown[];
  const read = new Map<unknown, unknown>(tensors.map((t, i) => [t, values[i]]));
  return stringifyWith(args, (item) => {
    if (!isTensor(item)) return item;
    if (!read.has(item)) {
      throw new StagingError(
        'The replacer given to JSON.stringify returned a tensor it had not returned on the first pass, whose ' +
          'value would need a second read. Return its value instead, or keep the tensor in the value itself.',
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
