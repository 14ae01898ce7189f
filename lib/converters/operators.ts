// Operators: arithmetic, comparison and equality become runtime calls that also work on tensors.
//
//   loss = a * a / 2;        becomes   loss = ag__.div(ag__.mul(a, a), 2);
//   n += 1;                  becomes   n = ag__.add(n, 1);
//
// On plain values each call is exactly the JavaScript operator. Operations on two literals stay as written.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import { assign, call, identifier, member } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';

const BINARY: Partial<Record<ESTree.BinaryOperator, string>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '**': 'pow',
  '<': 'less',
  '<=': 'lessEqual',
  '>': 'greater',
  '>=': 'greaterEqual',
  '==': 'equal',
  '!=': 'notEqual',
  '===': 'strictEqual',
  '!==': 'strictNotEqual',
};

const COMPOUND: Partial<Record<ESTree.AssignmentOperator, string>> = {
  '+=': 'add',
  '-=': 'sub',
  '*=': 'mul',
  '/=': 'div',
  '%=': 'mod',
  '**=': 'pow',
};

const isLiteral = (node: ESTree.Node) =>
  node.type === 'Literal' || (node.type === 'UnaryExpression' && node.argument.type === 'Literal');

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const runtime = (name: string) => member(identifier(ctx.runtime), name);
  walk(fn as ESTree.Node, {
    leave(node, parent, key) {
      if (node.type === 'BinaryExpression') {
        const operator = BINARY[node.operator];
        if (!operator || (isLiteral(node.left) && isLiteral(node.right))) return;
        this.replace(call(runtime(operator), [node.left as ESTree.Expression, node.right], node.loc));
      } else if (node.type === 'UnaryExpression' && node.operator === '-' && node.argument.type !== 'Literal') {
        this.replace(call(runtime('neg'), [node.argument], node.loc));
      } else if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
        const operator = COMPOUND[node.operator];
        if (!operator) return;
        this.replace({
          ...assign(node.left, call(runtime(operator), [identifier(node.left.name), node.right], node.loc)),
          loc: node.loc,
        });
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        // The old value of `x++` is only needed when the expression's value is used; that case comes
        // with the rest of the increment forms.
        const valueUnused =
          parent?.type === 'ExpressionStatement' || (parent?.type === 'ForStatement' && key === 'update');
        if (!node.prefix && !valueUnused) return;
        const operator = node.operator === '++' ? 'increment' : 'decrement';
        this.replace({
          ...assign(node.argument, call(runtime(operator), [identifier(node.argument.name)], node.loc)),
          loc: node.loc,
        });
      }
    },
  });
  return fn;
}
