// Evaluates converted code with `new Function`, binding each free name as a parameter.

import type * as ESTree from 'estree';
import { returnStatement } from './builders.js';
import { generate, type Mapping } from './generate.js';

export type GeneratorFunctionLike = (...args: unknown[]) => Generator<unknown, unknown, unknown>;

export type PlainFunctionLike = (...args: unknown[]) => unknown;

export interface LoadedCode<F> {
  /**
   * Called with the runtime namespace, the call context and the values of the free names, in order;
   * returns the loaded function.
   */
  factory: (runtime: unknown, callContext: unknown, ...bindings: unknown[]) => F;
  /** The code as evaluated, and its mappings to the original source. */
  code: string;
  mappings: Mapping[];
  /** The sourceURL stack frames in this code show: one per loaded function, chosen by the caller. */
  url: string;
}

/**
 * Loads `node`. The body runs in strict mode, as module code and class bodies do, so `this` stays
 * `undefined` in a call without a receiver. Only the parameters are in scope besides true globals,
 * and the API binds every free name, so nothing silently resolves from `globalThis`.
 */
export function load<F>(
  node: ESTree.FunctionExpression,
  runtime: string,
  callContext: string,
  freeNames: readonly string[],
  url: string,
): LoadedCode<F> {
  const program: ESTree.Program = {
    type: 'Program',
    sourceType: 'script',
    body: [
      { type: 'ExpressionStatement', expression: { type: 'Literal', value: 'use strict' }, directive: 'use strict' },
      returnStatement(node),
    ],
  };
  const { code, mappings } = generate(program);
  const factory = new Function(
    runtime,
    callContext,
    ...freeNames,
    `${code}\n//# sourceURL=${url}`,
  ) as LoadedCode<F>['factory'];
  return { factory, code, mappings, url };
}
