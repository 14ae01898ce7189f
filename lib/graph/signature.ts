// A call's input signature: tensor dtypes and shapes, plain values, and the identity of other objects.

import { isTensor, tf, type Tensor } from '../operators/tensors.js';

/** Identities of objects that are part of signatures (functions, class instances, variables). */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
const identityOf = (value: object) => {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return id;
};

export interface Signature {
  /** One key for the whole call, what graphs are cached on. */
  key: string;
  /** The key of each argument, to name the one that keeps changing. */
  parts: string[];
  /** The tensors the graph takes, in the order the walk found them. */
  inputs: Tensor[];
}

/**
 * The signature of a call: each argument (and `this`) walked through arrays and plain objects. Tensors
 * count by dtype and shape, variables and other objects by identity, numbers, strings and booleans by value.
 */
export function signatureOf(thisArg: unknown, args: readonly unknown[]): Signature {
  const inputs: Tensor[] = [];
  const positions = new Map<Tensor, number>();
  const walk = (value: unknown, seen: Set<object>): string => {
    if (isTensor(value)) {
      if (value instanceof tf.Variable) return `v${identityOf(value)}`;
      const earlier = positions.get(value);
      if (earlier !== undefined) return `t=${earlier}`;
      positions.set(value, inputs.length);
      inputs.push(value);
      return `t${value.dtype}[${value.shape.join(',')}]`;
    }
    switch (typeof value) {
      case 'number':
        return Object.is(value, -0) ? 'n-0' : `n${value}`;
      case 'string':
        return `s${JSON.stringify(value)}`;
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'bigint':
        return `b${value}`;
      case 'symbol':
      case 'function':
        return `@${identityOf(value as object)}`;
    }
    if (value === null) return 'null';
    const object = value as object;
    if (seen.has(object)) return `@${identityOf(object)}`;
    seen.add(object);
    let key: string;
    if (Array.isArray(object)) key = `[${object.map((item) => walk(item, seen)).join(',')}]`;
    else if (Object.getPrototypeOf(object) === Object.prototype || Object.getPrototypeOf(object) === null) {
      key = `{${Object.entries(object)
        .map(([k, item]) => `${JSON.stringify(k)}:${walk(item, seen)}`)
        .join(',')}}`;
    } else key = `@${identityOf(object)}`;
    seen.delete(object);
    return key;
  };
  const parts = [walk(thisArg, new Set()), ...args.map((arg) => walk(arg, new Set()))];
  return { key: `${tf.getBackend()}|${parts.join('|')}`, parts: parts.slice(1), inputs };
}
