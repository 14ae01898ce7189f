// The converter pipeline: the passes and the one place that fixes their order.

import { cloneNode, walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { isRestartable } from '../analysis/effects.js';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';
import type { ParsedFunction } from '../parse/parse_function.js';
import * as breakStatements from './break_statements.js';
import * as builtinCalls from './builtin_calls.js';
import * as callTrees from './call_trees.js';
import * as callbackConditions from './callback_conditions.js';
import * as conditionalExpressions from './conditional_expressions.js';
import { createContext, type ConversionContext } from './context.js';
import * as continueStatements from './continue_statements.js';
import * as elementAccess from './element_access.js';
import * as controlFlow from './control_flow.js';
import * as functions from './functions.js';
import * as logicalExpressions from './logical_expressions.js';
import * as loopScoping from './loop_scoping.js';
import * as overloadedOperators from './overloaded_operators.js';
import * as plainConditions from './plain_conditions.js';
import * as returnStatements from './return_statements.js';
import * as switchStatements from './switch_statements.js';

/**
 * The order matters:
 * 1. functions: makes the function a generator and hoists `var`, so that later passes may move blocks
 *    into nested functions without changing what names mean.
 * 2. loop_scoping: gives a for loop's `let` variables a binding per iteration where closures capture
 *    them, wrapping the body in a try/finally that hands the value back; before the jump passes, so
 *    that they lower jumps inside that try like any other.
 * 3. switch_statements: a switch becomes a chain of ifs with its own break flag, so that a tensor
 *    discriminant stages each case and the jumps inside reach their targets through ordinary ifs.
 * 4. continue_statements, break_statements, return_statements: lower jumps into flags before
 *    control_flow moves bodies into nested generators, where a native jump could not reach its target.
 *    Continue goes first, so a for loop's update still runs before break turns the loop's exit into a
 *    flag; return goes last, since a return leaves every loop.
 * 5. control_flow: analyses what each construct carries (flags included) and moves bodies into nested
 *    generators.
 * 6. conditional_expressions and logical_expressions: after control_flow, whose analysis would
 *    otherwise see their generator thunks as closures; they turn `?:`, `&&`, `||` and `??` into lazy
 *    operator calls that can wait on a staged read.
 * 7. element_access: `x[i]`, `x.length` and member updates become runtime calls with inline guards for
 *    arrays; after control_flow, whose analysis counts `x[i] = v` as a write of `x`.
 * 8. builtin_calls: before overloaded_operators, so that `Math.floor(a / b)` still shows its division.
 * 9. call_trees: other calls go through the runtime, which converts user functions; after builtin_calls,
 *    whose runtime calls it leaves alone.
 * 10. callback_conditions: control flow inside callbacks stays native; a tensor condition there is an
 *     error. After call_trees, which names the callbacks the same way.
 * 11. overloaded_operators: last, over everything, including the tests, bodies and thunks earlier passes made.
 * Each pass that needs analysis runs it afresh on the tree it receives.
 */
const PASSES: ((fn: ESTree.FunctionExpression, ctx: ConversionContext) => ESTree.FunctionExpression)[] = [
  loopScoping.transform,
  switchStatements.transform,
  continueStatements.transform,
  breakStatements.transform,
  returnStatements.transform,
  controlFlow.transform,
  conditionalExpressions.transform,
  logicalExpressions.transform,
  elementAccess.transform,
  builtinCalls.transform,
  callTrees.transform,
  callbackConditions.transform,
  overloadedOperators.transform,
];

/**
 * The passes of the plain clone: the same built-ins and operators (with inline number fast paths), then
 * guards on every decision a tensor would stage, which wrap only the runtime side of a fast path.
 */
const PLAIN_PASSES: typeof PASSES = [
  elementAccess.transform,
  builtinCalls.transform,
  callTrees.transform,
  callbackConditions.transform,
  overloadedOperators.transform,
  plainConditions.transform,
];

export interface ConvertedFunction {
  /** The converted generator function. */
  node: ESTree.FunctionExpression;
  /**
   * The plain clone: a synchronous copy with native control flow and guarded decisions, for every
   * function that is neither async nor a generator. Calls from synchronous callbacks run it.
   */
  plainNode?: ESTree.FunctionExpression;
  /** Whether a run of the plain clone can be abandoned without a trace, so that it may run first. */
  restartable: boolean;
  /** The name generated code uses for the runtime namespace. */
  runtime: string;
  /** The name generated code uses for the call context. */
  callContext: string;
}

/** Converts `parsed`; `scopes` is the scope analysis of the function as written, which callers have. */
export function convertFunction(
  parsed: ParsedFunction,
  scopes: ScopeInfo = analyzeScopes(parsed.node),
): ConvertedFunction {
  const used = new Set<string>();
  walk(parsed.node as ESTree.Node, {
    enter(node) {
      if (node.type === 'Identifier') used.add(node.name);
    },
  });
  const ctx = createContext(parsed, used);
  const restartable = isRestartable(parsed.node, scopes);
  const synchronous = !parsed.node.async && !parsed.node.generator;
  let node = functions.transform(parsed.node, ctx);
  // The plain clone branches off before any staging pass: native control flow, guarded conditions.
  let plainNode: ESTree.FunctionExpression | undefined;
  if (synchronous) {
    plainNode = { ...cloneNode(node), generator: false };
    const plainCtx: ConversionContext = { ...ctx, plainClone: true, converted: new WeakSet([plainNode]) };
    for (const pass of PLAIN_PASSES) plainNode = pass(plainNode, plainCtx);
  }
  for (const pass of PASSES) node = pass(node, ctx);
  return { node, plainNode, restartable, runtime: ctx.runtime, callContext: ctx.callContext };
}
