// The plain clone: a synchronous copy of the function for plain values, where every decision a tensor
// would stage is guarded instead.
//
//   if (x > 0) { y = x; }    becomes   if (typeof x === "number" ? x > 0 : ag__.conditionPlain(ag__.greater(x, 0))) { y = x; }
//
// `ag__.conditionPlain` returns a plain value as it is and throws the runtime's restage signal for a tensor; the
// runtime then drops the clone's run and runs the staged function from the start. Only functions whose
// runs can be abandoned without a trace get a clone (see analysis/effects.ts).

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode } from '../analysis/scopes.js';
import { call, identifier, member } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const guard = (value: ESTree.Expression) =>
    call(member(identifier(ctx.runtime), 'conditionPlain'), [value], value.loc);
  // A number fast path's native side gives a boolean or number already: only its runtime side needs the guard.
  const plain = (value: ESTree.Expression): ESTree.Expression => {
    if (value.type === 'ConditionalExpression' && ctx.numberFastPaths.has(value)) {
      value.alternate = guard(value.alternate);
      return value;
    }
    return guard(value);
  };
  walk(fn.body as ESTree.Node, {
    enter(node, parent, key) {
      // Nested functions run as written in both versions; a number fast path holds no decisions, nor
      // does the test of an inline type guard.
      if (isFunctionNode(node) || ctx.numberFastPaths.has(node)) this.skip();
      if (parent && ctx.typeGuards.has(parent) && key === 'test') this.skip();
    },
    leave(node) {
      if (ctx.typeGuards.has(node)) return;
      switch (node.type) {
        case 'IfStatement':
        case 'ConditionalExpression':
        case 'WhileStatement':
        case 'DoWhileStatement':
          node.test = plain(node.test);
          break;
        case 'ForStatement':
          if (node.test) node.test = plain(node.test);
          break;
        case 'ForOfStatement':
          node.right = plain(node.right);
          break;
        case 'SwitchStatement':
          node.discriminant = plain(node.discriminant);
          break;
        case 'LogicalExpression':
          if (node.operator !== '??') node.left = plain(node.left);
          break;
        default:
          break;
      }
    },
  });
  return fn;
}
