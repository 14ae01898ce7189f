// Array methods that native code would misread on tensors: indexOf, lastIndexOf and includes compare scalar
// tensors by value, as `===` compares numbers (other tensors by identity, as `===` compares arrays), and
// sort orders by what its comparator's tensors hold.

import { StagingError } from '../errors.js';
import { RESTAGE } from './plain.js';
import { isTensor, tensorValue, tf, type Tensor } from './tensors.js';

type Search = 'indexOf' | 'lastIndexOf' | 'includes';
export type ArrayMethod = Search | 'sort';

const METHODS = new Map<unknown, ArrayMethod>(
  (['indexOf', 'lastIndexOf', 'includes', 'sort'] as const).map((name) => [Array.prototype[name], name]),
);

/** Which of these methods `object[key]` is, when `object` is an array; undefined otherwise. */
export function arrayMethodOf(object: unknown, key: PropertyKey): ArrayMethod | undefined {
  return Array.isArray(object) ? METHODS.get((object as unknown as Record<PropertyKey, unknown>)[key]) : undefined;
}

/** The scalar tensors among `values`; a tensor of another rank has no single value to compare. */
function scalars(values: readonly unknown[], method: ArrayMethod): Tensor[] {
  const found: Tensor[] = [];
  for (const value of values) {
    if (!isTensor(value)) continue;
    if (value.rank !== 0) {
      throw new StagingError(
        `Array ${method} meets a tensor of shape [${value.shape.join(', ')}], which has no single value to ` +
          (method === 'sort' ? 'order by' : 'compare') +
          '. Use scalar tensors, or compare the values yourself (tf.equal, tf.argMax, tf.topk).',
      );
    }
    found.push(value);
  }
  return found;
}

/** The values of scalar tensors, read with one read per dtype. */
async function readScalars(tensors: readonly Tensor[]): Promise<Map<Tensor, unknown>> {
  const values = new Map<Tensor, unknown>();
  const byDtype = new Map<string, Tensor[]>();
  for (const t of new Set(tensors)) byDtype.set(t.dtype, [...(byDtype.get(t.dtype) ?? []), t]);
  await Promise.all(
    [...byDtype.values()].map(async (group) => {
      if (group.length === 1) return values.set(group[0]!, await tensorValue(group[0]!));
      const stacked = tf.stack(group);
      const read = (await tensorValue(stacked)) as unknown[];
      stacked.dispose();
      group.forEach((t, i) => values.set(t, read[i]));
    }),
  );
  return values;
}

/**
 * The tensors a search compares by value: the scalar ones among the elements and the searched value.
 * Tensors of other ranks compare as `===` compares arrays, by identity, so a search for one is native.
 */
const searched = (array: readonly unknown[], args: readonly unknown[]): Tensor[] => {
  const [value] = args;
  if (isTensor(value) && value.rank !== 0) return [];
  return [...array, value].filter((item): item is Tensor => isTensor(item) && item.rank === 0);
};

function searchValues(array: unknown[], method: Search, args: unknown[], read: Map<Tensor, unknown>): unknown {
  const valueOf = (item: unknown) => (isTensor(item) ? read.get(item) : item);
  // map keeps holes, which indexOf skips and includes reads as undefined, as on the original.
  const values = array.map(valueOf);
  return (values[method] as (...a: unknown[]) => unknown).apply(values, [valueOf(args[0]), ...args.slice(1)]);
}

/** Stops a native sort whose comparator returned a tensor. */
const TENSOR_RESULT = Symbol('tensor comparison');

/**
 * Sorts a copy natively, with a comparator that gives numbers; stores it back when it did. Undefined
 * when the comparator returned a tensor (the array is then untouched).
 */
function nativeSort(array: unknown[], compare: (a: unknown, b: unknown) => unknown): unknown[] | undefined {
  const copy = array.slice();
  try {
    copy.sort((a, b) => {
      const result = compare(a, b);
      if (isTensor(result)) throw TENSOR_RESULT;
      return result as number;
    });
  } catch (error) {
    if (error === TENSOR_RESULT) return undefined;
    throw error;
  }
  // By index: a sort moves holes to the end, and forEach would skip them.
  for (let i = 0; i < copy.length; i++) {
    if (i in copy) array[i] = copy[i];
    else delete array[i];
  }
  return array;
}

/** A comparator's result as sort reads it: a number, NaN as 0. */
const order = (value: unknown) => Number(value) || 0;

/**
 * A stable merge sort of `items` whose comparisons may wait: `compare` gives each pair's order.
 * Array.prototype.sort is stable too, so for a consistent comparator the order is the same.
 */
function* mergeSort<T>(
  items: T[],
  compare: (a: T, b: T) => Generator<unknown, number, unknown>,
): Generator<unknown, T[], unknown> {
  if (items.length < 2) return items;
  const middle = items.length >> 1;
  const left = yield* mergeSort(items.slice(0, middle), compare);
  const right = yield* mergeSort(items.slice(middle), compare);
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    // Right before left only when strictly less: equal items keep their order.
    if ((yield* compare(right[j]!, left[i]!)) < 0) merged.push(right[j++]!);
    else merged.push(left[i++]!);
  }
  return [...merged, ...left.slice(i), ...right.slice(j)];
}

/** Writes sorted items back, undefined elements last, as sort leaves them. */
function storeSorted(array: unknown[], sorted: unknown[]): unknown[] {
  const undefinedCount = array.length - sorted.length;
  sorted.forEach((item, i) => (array[i] = item));
  for (let i = sorted.length; i < sorted.length + undefinedCount; i++) array[i] = undefined;
  return array;
}

function* sort(array: unknown[], args: unknown[]): Generator<unknown, unknown, unknown> {
  const [compare] = args;
  if (typeof compare !== 'function') {
    if (compare !== undefined || !array.some(isTensor)) return array.sort(compare as undefined);
    // The default order compares the values' text, as it would compare numbers'.
    const read = yield readScalars(scalars(array, 'sort'));
    const text = (item: unknown) => String(isTensor(item) ? (read as Map<Tensor, unknown>).get(item) : item);
    const sorted = array.filter((item) => item !== undefined);
    sorted.sort((a, b) => {
      const [x, y] = [text(a), text(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return storeSorted(array, sorted);
  }
  const comparator = compare as (a: unknown, b: unknown) => unknown;
  // A comparator that gives numbers sorts natively. Its first tensor result stops that try (so that
  // call runs twice), and the sort reads each result instead.
  const native = nativeSort(array, comparator);
  if (native) return native;
  const defined = array.filter((item) => item !== undefined);
  const sorted = yield* mergeSort(defined, function* (a, b) {
    const result = comparator(a, b);
    if (!isTensor(result)) return order(result);
    scalars([result], 'sort');
    return order(yield tensorValue(result));
  });
  return storeSorted(array, sorted);
}

/** `array[method](...args)` in converted code: tensors compared by their values, read as a print reads them. */
export function* arrayMethod(
  array: unknown[],
  method: ArrayMethod,
  args: unknown[],
): Generator<unknown, unknown, unknown> {
  if (method === 'sort') return yield* sort(array, args);
  const tensors = searched(array, args);
  if (tensors.length === 0) return (array[method] as (...a: unknown[]) => unknown).apply(array, args);
  const read = (yield readScalars(tensors)) as Map<Tensor, unknown>;
  return searchValues(array, method, args, read);
}

/**
 * The same in synchronous code. `waits` is what happens where a read would be needed: the plain clone
 * restages, a callback reports an error.
 */
export function arrayMethodSync(array: unknown[], method: ArrayMethod, args: unknown[], waits: () => never): unknown {
  if (method === 'sort') {
    const [compare] = args;
    if (compare === undefined && array.some(isTensor)) waits();
    if (typeof compare !== 'function') return array.sort(compare as undefined);
    return nativeSort(array, compare as (a: unknown, b: unknown) => unknown) ?? waits();
  }
  if (searched(array, args).length > 0) waits();
  return (array[method] as (...a: unknown[]) => unknown).apply(array, args);
}

/** In the plain clone, a needed read restarts the run staged. */
export const restage = (): never => {
  throw RESTAGE;
};

/** In a callback, a needed read is an error. */
export function callbackWaits(method: ArrayMethod): () => never {
  return () => {
    throw new StagingError(
      `Array ${method} inside a callback meets tensors, whose values need an asynchronous read, but the ` +
        'callback runs synchronously. Call it outside the callback.',
    );
  };
}
