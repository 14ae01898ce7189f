// Which functions belong to tfjs, so that converted code calls them as they are.

import { tf } from '../operators/tensors.js';
import { originalOf } from '../operators/tracing.js';

let tfFunctions: WeakSet<object> | undefined;
/** The functions of tf's namespaces themselves (ops, not class methods). */
let tfNamespaceFunctions: WeakSet<object> | undefined;
/** The namespaces' functions, whose texts isMadeByTf reads (only on its first call: it is rarely needed). */
let namespaceFunctions: object[] = [];
let tfSources: string[] | undefined;

/** Functions that belong to tfjs: its namespaces' functions and the methods of the classes it exports. */
export function isTfFunction(fn: object): boolean {
  return tfTables().has(fn);
}

/** Whether `fn` is one of tf's namespace functions (`tf.add`, `tf.linalg.qr`), not a method of its classes. */
export function isTfNamespaceFunction(fn: object): boolean {
  tfTables();
  return tfNamespaceFunctions!.has(fn);
}

function tfTables(): WeakSet<object> {
  if (!tfFunctions) {
    const found = new WeakSet<object>();
    const seen = new Set<unknown>();
    const visit = (value: unknown, depth: number): void => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
      seen.add(value);
      if (typeof value === 'function') {
        found.add(value);
        namespaceFunctions.push(value);
        for (
          let proto = value.prototype as object | null;
          proto && proto !== Object.prototype;
          proto = Object.getPrototypeOf(proto)
        ) {
          for (const key of Object.getOwnPropertyNames(proto)) {
            const method = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
            // While a graph trace records, Variable.prototype.assign is its stand-in: tf's own is the one.
            if (typeof method === 'function') found.add(originalOf(method));
          }
        }
      }
      if (depth < 3 && (typeof value === 'object' || depth === 0)) {
        for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
      }
    };
    namespaceFunctions = [];
    visit(tf, 0);
    tfFunctions = found;
    tfNamespaceFunctions = new WeakSet(namespaceFunctions);
  }
  return tfFunctions;
}

/**
 * Whether `source` is the text of a function that one of tfjs's functions defines and returns, such as
 * the gradient function `tf.grad(f)` returns: its text lies within that function's.
 */
export function isMadeByTf(source: string): boolean {
  if (source.length <= 40) return false;
  tfTables();
  tfSources ??= namespaceFunctions.map((fn) => Function.prototype.toString.call(fn));
  return tfSources.some((text) => text.length > source.length && text.includes(source));
}
