// The converter pipeline: the passes and the one place that fixes their order.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import type { ParsedFunction } from '../parse/parse_function.js';
import * as builtinCalls from './builtin_calls.js';
import * as conditionalExpressions from './conditional_expressions.js';
import { createContext, type ConversionContext } from './context.js';
import * as controlFlow from './control_flow.js';
import * as functions from './functions.js';
import * as logicalExpressions from './logical_expressions.js';
import * as operators from './operators.js';

/**
 * The order matters:
 * 1. functions: makes the function a generator and hoists `var`, so that later passes may move blocks
 *    into nested functions without changing what names mean.
 * 2. control_flow: needs the statements as the user wrote them, to analyse what each construct carries;
 *    it moves bodies into nested generators.
 * 3. conditional_expressions and logical_expressions: after control_flow, whose analysis would
 *    otherwise see their generator thunks as closures; they turn `?:`, `&&`, `||` and `??` into lazy
 *    operator calls that can wait on a staged read.
 * 4. builtin_calls: before operators, so that `Math.floor(a / b)` still shows its division.
 * 5. operators: last, over everything, including the tests, bodies and thunks earlier passes made.
 * Each pass that needs analysis runs it afresh on the tree it receives.
 */
const PASSES: ((fn: ESTree.FunctionExpression, ctx: ConversionContext) => ESTree.FunctionExpression)[] = [
  controlFlow.transform,
  conditionalExpressions.transform,
  logicalExpressions.transform,
  builtinCalls.transform,
  operators.transform,
];

export interface ConvertedFunction {
  /** The converted generator function. */
  node: ESTree.FunctionExpression;
  /** The name generated code uses for the runtime namespace. */
  runtime: string;
}

export function convertFunction(parsed: ParsedFunction): ConvertedFunction {
  const used = new Set<string>();
  walk(parsed.node as ESTree.Node, {
    enter(node) {
      if (node.type === 'Identifier') used.add(node.name);
    },
  });
  const ctx = createContext(parsed, used);
  let node = functions.transform(parsed.node, ctx);
  for (const pass of PASSES) node = pass(node, ctx);
  return { node, runtime: ctx.runtime };
}
