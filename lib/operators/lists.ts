// Lists: JavaScript arrays that code appends to, possibly inside staged loops, and stacks into a tensor,
// as AutoGraph's set_element_type and stack do for Python lists.

import { StagingError } from '../errors.js';
import { fitsDtype, isTensor, tf, weakDtype, type DataType, type Tensor } from './tensors.js';

const ELEMENT_TYPES: readonly DataType[] = ['float32', 'int32', 'bool'];
const elementTypes = new WeakMap<object, DataType>();
/** Lists, with the call whose staged loop pushed to them, or DECLARED for those given an element type. */
const DECLARED = {};
const stagedLists = new WeakMap<object, object | null>();

/** `autograph.setElementType(list, dtype)`: the dtype of the list's elements, which `stack` uses. */
export function setElementType(list: unknown, dtype: unknown): void {
  if (!Array.isArray(list)) {
    throw new TypeError(
      `autograph.setElementType takes an array, got ${describe(list)}. Declare the list as [] first.`,
    );
  }
  if (!ELEMENT_TYPES.includes(dtype as DataType)) {
    throw new TypeError(
      `autograph.setElementType: '${String(dtype)}' is not an element type. Use one of ${ELEMENT_TYPES.join(', ')}.`,
    );
  }
  elementTypes.set(list, dtype as DataType);
  stagedLists.set(list, DECLARED);
}

/**
 * `autograph.stack(list)`: one tensor whose first axis runs along the list. Elements may be tensors of one
 * shape and numbers or booleans; their dtype is the list's element type, else the first tensor's, else
 * what the numbers take on their own. An empty list needs its element type.
 */
export function stack(list: unknown): Tensor {
  if (!Array.isArray(list)) {
    throw new TypeError(`autograph.stack takes an array, got ${describe(list)}.`);
  }
  const declared = elementTypes.get(list);
  if (list.length === 0) {
    if (!declared) {
      throw new StagingError(
        'autograph.stack got an empty list, whose dtype and shape are unknown. Declare its element type first: ' +
          "autograph.setElementType(list, 'float32').",
      );
    }
    return tf.tensor([], [0], declared);
  }
  const firstTensor = list.find(isTensor) as Tensor | undefined;
  if (!firstTensor) {
    const dtype = declared ?? (list.every((x) => typeof x === 'boolean') ? 'bool' : inferred(list));
    return tf.tensor(list as number[], undefined, dtype);
  }
  const dtype = declared ?? firstTensor.dtype;
  return tf.tidy(() =>
    tf.stack(
      list.map((item, i) => {
        if (isTensor(item)) {
          if (item.dtype !== dtype) {
            throw new StagingError(
              `autograph.stack: element ${i} is ${item.dtype}, but the list's elements are ${dtype}. Cast it with ` +
                `tf.cast(x, '${dtype}') before appending it.`,
            );
          }
          return item;
        }
        if ((typeof item === 'number' || typeof item === 'boolean') && fitsDtype(item, dtype)) {
          return tf.scalar(dtype === 'bool' ? item : Number(item), dtype);
        }
        throw new StagingError(
          `autograph.stack: element ${i} (${describe(item)}) cannot be a ${dtype} element. Append tensors, numbers or booleans of one dtype.`,
        );
      }),
    ),
  );
}

const inferred = (values: unknown[]): DataType =>
  values.flat(Infinity).every((v) => typeof v === 'number' && weakDtype(v) === 'int32') ? 'int32' : 'float32';

/** Array methods that change an array in place other than push and pop: not for lists in staged loops. */
const CHANGING_METHODS = new Set(['splice', 'sort', 'shift', 'unshift', 'reverse', 'fill', 'copyWithin']);

/**
 * Called on every method call in converted code. Inside a staged loop of `call`, a list (an array given an
 * element type, or one this call pushed to in a staged loop) may grow with push and shrink with pop, as a
 * graph's tensor list can; methods that change it otherwise are an error. Reading methods are fine.
 */
export function checkListMethod(object: unknown, key: unknown, call: object | null, inStagedLoop: boolean): void {
  if (!inStagedLoop || !Array.isArray(object)) return;
  if (key === 'push') {
    stagedLists.set(object, call);
    return;
  }
  if (!CHANGING_METHODS.has(key as string)) return;
  const owner = stagedLists.get(object);
  if (owner === undefined || (owner !== DECLARED && owner !== call)) return;
  throw new StagingError(
    `A list is changed with '${String(key)}' inside a loop whose condition is a tensor. Inside staged loops a ` +
      `list grows with push and shrinks with pop, as a graph's tensor list does. Call '${String(key)}' after ` +
      'the loop, or build a new list.',
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (isTensor(value)) return `a ${value.dtype} tensor`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
