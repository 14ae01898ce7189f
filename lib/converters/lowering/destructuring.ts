// Destructuring: an array pattern takes a tensor apart along axis 0, as for-of over a tensor does.
//
//   const [a, b] = pair;             becomes   const [a, b] = ag__.unstacked(pair);
//   [x, y] = [y, x];                 stays as written (an array literal is never a tensor)
//   for (const [i, j] of rows) ...   becomes   for (const item_ of rows) { const [i, j] = ag__.unstacked(item_); ... }
//
// On anything but a tensor `ag__.unstacked` gives its argument back, so arrays, strings and iterators
// destructure as JavaScript destructures them.

import type * as ESTree from 'estree';
import { walk } from '../../codegen/ast.js';
import { assign, block, call, expressionStatement, identifier } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

/** Whether `value` could be a tensor: not an array literal, which destructures as it is. */
const mayBeTensor = (value: ESTree.Node) => value.type !== 'ArrayExpression';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const unstacked = (value: ESTree.Expression) => call(ctx.operator('unstacked'), [value], value.loc);
  walk(fn as ESTree.Node, {
    leave(node) {
      if (
        node.type === 'VariableDeclarator' &&
        node.id.type === 'ArrayPattern' &&
        node.init &&
        mayBeTensor(node.init)
      ) {
        node.init = unstacked(node.init);
      } else if (
        node.type === 'AssignmentExpression' &&
        node.operator === '=' &&
        node.left.type === 'ArrayPattern' &&
        mayBeTensor(node.right)
      ) {
        node.right = unstacked(node.right);
      } else if (node.type === 'ForOfStatement') {
        // Each item is taken apart in the body, which keeps a block of its own for names it declares.
        const declaration = node.left.type === 'VariableDeclaration' ? node.left : undefined;
        const pattern = declaration ? declaration.declarations[0]!.id : node.left;
        if (pattern.type !== 'ArrayPattern') return;
        const item = identifier(ctx.namer.fresh('item_'));
        const value = unstacked(identifier(item.name));
        const takeApart: ESTree.Statement = declaration
          ? {
              type: 'VariableDeclaration',
              kind: declaration.kind,
              declarations: [{ type: 'VariableDeclarator', id: pattern, init: value }],
              loc: declaration.loc,
            }
          : expressionStatement(assign(pattern, value), pattern.loc);
        node.left = {
          type: 'VariableDeclaration',
          kind: declaration?.kind === 'var' ? 'let' : (declaration?.kind ?? 'const'),
          declarations: [{ type: 'VariableDeclarator', id: item, init: null }],
        };
        node.body = block([takeApart, node.body.type === 'BlockStatement' ? node.body : block([node.body])]);
      }
    },
  });
  return fn;
}
