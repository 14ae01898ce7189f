// Which functions belong to tfjs, so that converted code calls them as they are.

import { tf } from '../operators/tensors.js';

let tfFunctions: WeakSet<object> | undefined;
/** The source text of each tfjs function, for recognising the closures they return. */
let tfSources: string[] = [];

/** Functions that belong to tfjs: its namespaces' functions and the methods of the classes it exports. */
export function isTfFunction(fn: object): boolean {
  if (!tfFunctions) {
    const found = new WeakSet<object>();
    const seen = new Set<unknown>();
    const visit = (value: unknown, depth: number): void => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
      seen.add(value);
      if (typeof value === 'function') {
        found.add(value);
        tfSources.push(Function.prototype.toString.call(value));
        for (
          let proto = value.prototype as object | null;
          proto && proto !== Object.prototype;
          proto = Object.getPrototypeOf(proto)
        ) {
          for (const key of Object.getOwnPropertyNames(proto)) {
            const method = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
            if (typeof method === 'function') found.add(method);
          }
        }
      }
      if (depth < 3 && (typeof value === 'object' || depth === 0)) {
        for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
      }
    };
    tfSources = [];
    visit(tf, 0);
    tfFunctions = found;
  }
  return tfFunctions.has(fn);
}

/**
 * Whether `source` is the text of a function that one of tfjs's functions defines and returns, such as
 * the gradient function `tf.grad(f)` returns: its text lies within that function's.
 */
export function isMadeByTf(source: string): boolean {
  isTfFunction(isMadeByTf);
  return source.length > 40 && tfSources.some((text) => text.length > source.length && text.includes(source));
}
