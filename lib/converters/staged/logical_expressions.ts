// Logical expressions: `&&`, `||` and `??` keep their laziness on tensors.
//
//   if (ag__.greater(a, 0) && b) ...      becomes   if (yield* ag__.and(ag__.greater(a, 0), function* () { return b; })) ...
//
// The right operand is a generator thunk, evaluated only when JavaScript would evaluate it. Only
// converted bodies can wait on a staged read, so inside nested user functions `&&` stays as written.

import { walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode } from '../../analysis/scopes.js';
import { call, returnStatement, yieldDelegate } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

const COMPARISONS = new Set<ESTree.BinaryOperator>(['==', '!=', '===', '!==', '<', '<=', '>', '>=', 'instanceof']);

/**
 * Whether `node` is always a JavaScript boolean, never a tensor: after the common lowering a comparison
 * left as an operator is native (a null test the lowering wrote, or one between literals), and so is `&&`
 * or `||` of those. Such a condition needs no staging.
 */
export const isNativeBoolean = (node: ESTree.Node): boolean =>
  (node.type === 'BinaryExpression' && COMPARISONS.has(node.operator)) ||
  (node.type === 'LogicalExpression' &&
    node.operator !== '??' &&
    isNativeBoolean(node.left) &&
    isNativeBoolean(node.right));

const LOGICAL: Record<ESTree.LogicalOperator, string> = { '&&': 'and', '||': 'or', '??': 'nullish' };

/** `function* () { return expression; }`, registered as converted code so later passes treat it as such. */
export function thunk(expression: ESTree.Expression, ctx: ConversionContext): ESTree.FunctionExpression {
  const fn: ESTree.FunctionExpression = {
    type: 'FunctionExpression',
    id: null,
    params: [],
    body: { type: 'BlockStatement', body: [{ ...returnStatement(expression), loc: expression.loc }] },
    generator: true,
    async: false,
    loc: expression.loc,
  };
  ctx.converted.add(fn);
  return fn;
}

/** Walks the bodies of converted functions, skipping nested user functions, and calls `leave` on each node. */
export function walkConvertedBodies(
  fn: ESTree.FunctionExpression,
  ctx: ConversionContext,
  leave: (node: ESTree.Node, replace: (node: ESTree.Node) => void) => void,
): void {
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (isFunctionNode(node) && !ctx.converted.has(node)) this.skip();
    },
    leave(node) {
      leave(node, (replacement) => this.replace(replacement));
    },
  });
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  walkConvertedBodies(fn, ctx, (node, replace) => {
    if (node.type === 'LogicalExpression' && !isNativeBoolean(node)) {
      const operator = LOGICAL[node.operator];
      replace(yieldDelegate(call(ctx.operator(operator), [node.left, thunk(node.right, ctx)], node.loc)));
    }
  });
  return fn;
}
