// Operators: arithmetic, comparison and equality become runtime calls that also work on tensors.
//
//   loss = a * a / 2;        becomes   loss = ag__.div(ag__.mul(a, a), 2);
//   n += 1;                  becomes   n = ag__.add(n, 1);
//
// On plain values each call is exactly the JavaScript operator. Operations on two literals stay as written.
// The plain back end puts the native operators back behind an inline guard where every leaf is a number
// (converters/fast_paths.ts).

import { COMPOUND_OPERATORS, walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { assign, call, identifier } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

/** The runtime operator of each binary operator; the back ends' fast paths read it in reverse. */
export const BINARY_OPERATORS: Partial<Record<ESTree.BinaryOperator, string>> = {
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
  '&': 'bitAnd',
  '|': 'bitOr',
  '^': 'bitXor',
  '<<': 'shiftLeft',
  '>>': 'shiftRight',
  '>>>': 'shiftRightUnsigned',
  in: 'inOperator',
};

/** `!` too: on a tensor it is elementwise, as on a boolean it is JavaScript's. */
const UNARY: Partial<Record<ESTree.UnaryOperator, string>> = { '-': 'neg', '+': 'pos', '~': 'bitNot', '!': 'not' };

const isLiteral = (node: ESTree.Node) =>
  node.type === 'Literal' || (node.type === 'UnaryExpression' && node.argument.type === 'Literal');

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  walk(fn as ESTree.Node, {
    leave(node, parent, key) {
      if (node.type === 'BinaryExpression') {
        const operator = BINARY_OPERATORS[node.operator];
        if (!operator || (isLiteral(node.left) && isLiteral(node.right))) return;
        this.replace(call(ctx.operator(operator), [node.left as ESTree.Expression, node.right], node.loc));
      } else if (node.type === 'TemplateLiteral' && parent?.type !== 'TaggedTemplateExpression') {
        // A tensor in a template would be read synchronously by its toString: `ag__.text` refuses it.
        node.expressions = node.expressions.map((expression) =>
          call(ctx.operator('text'), [expression], expression.loc),
        );
      } else if (node.type === 'UnaryExpression' && UNARY[node.operator] && node.argument.type !== 'Literal') {
        this.replace(call(ctx.operator(UNARY[node.operator]!), [node.argument], node.loc));
      } else if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
        const operator = COMPOUND_OPERATORS[node.operator];
        if (!operator) return;
        const viaRuntime = call(ctx.operator(operator), [identifier(node.left.name), node.right], node.loc);
        this.replace({ ...assign(node.left, viaRuntime), loc: node.loc });
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        const valueUnused =
          parent?.type === 'ExpressionStatement' || (parent?.type === 'ForStatement' && key === 'update');
        const operator = node.operator === '++' ? 'increment' : 'decrement';
        const update = {
          ...assign(node.argument, call(ctx.operator(operator), [identifier(node.argument.name)], node.loc)),
          loc: node.loc,
        };
        // `x++` used as a value is the old value, as a number: `ag__.postfix(x, x = ag__.increment(x))`
        // reads it before the update, in argument order.
        this.replace(
          node.prefix || valueUnused
            ? update
            : call(ctx.operator('postfix'), [identifier(node.argument.name), update], node.loc),
        );
      }
    },
  });
  return fn;
}
