// Callback conditions: control flow inside nested functions (callbacks) stays native, since the code that
// calls them expects a value at once; a tensor condition there would be an always-true object, so it is
// guarded into a clear error instead.
//
//   xs.map((x) => (x > 0 ? x : 0))   becomes   xs.map((x) => (ag__.conditionInCallback(ag__.greater(x, 0), "...") ? x : 0))
//
// Part of the common lowering, before call_trees, which rewrites the calls that callbacks are passed to.

import { walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode } from '../../analysis/scopes.js';
import { call, literal } from '../../codegen/builders.js';
import { callbackName } from './call_trees.js';
import type { ConversionContext } from '../context.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const callbacks: (string | undefined)[] = [];
  const guard = (test: ESTree.Expression, name: string) =>
    call(ctx.operator('conditionInCallback'), [test, literal(name)], test.loc);
  walk(fn as ESTree.Node, {
    enter(node, parent) {
      // Named while the call it is passed to is still as written (before call_trees).
      if (isFunctionNode(node)) callbacks.push(ctx.converted.has(node) ? undefined : callbackName(node, parent));
    },
    leave(node) {
      if (isFunctionNode(node)) {
        callbacks.pop();
        return;
      }
      const callback = callbacks[callbacks.length - 1];
      if (callback === undefined) return;
      switch (node.type) {
        case 'IfStatement':
        case 'ConditionalExpression':
        case 'WhileStatement':
        case 'DoWhileStatement':
          node.test = guard(node.test, callback);
          break;
        case 'ForStatement':
          if (node.test) node.test = guard(node.test, callback);
          break;
        case 'SwitchStatement':
          node.discriminant = guard(node.discriminant, callback);
          break;
        case 'LogicalExpression':
          if (node.operator !== '??') node.left = guard(node.left, callback);
          break;
        default:
          break;
      }
    },
  });
  return fn;
}
