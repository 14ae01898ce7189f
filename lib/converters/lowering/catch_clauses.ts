// Catch clauses: the runtime's own signals pass through the user's catch blocks.
//
//   try { ... } catch (e) { recover(); }     becomes   try { ... } catch (e) { ag__.rethrowInternal(e); recover(); }
//
// A StagingError says that the library cannot run a construct with JavaScript's meaning: a catch that
// swallowed it would turn that into a silently different result. The plain clone's restage signal must
// reach the runtime, which then runs the staged function. Both go on; every other error is the user's.
// The last step of the common lowering, so that the check is the first statement of each catch block.

import type * as ESTree from 'estree';
import { walk } from '../../codegen/ast.js';
import { call, expressionStatement, identifier } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  walk(fn.body as ESTree.Node, {
    leave(node) {
      if (node.type !== 'CatchClause') return;
      const param = node.param?.type === 'Identifier' ? node.param : undefined;
      const caught = param ?? identifier(ctx.namer.fresh('error_'));
      if (node.param && !param) {
        // A destructured parameter is taken apart after the check.
        node.body.body.unshift({
          type: 'VariableDeclaration',
          kind: 'let',
          declarations: [{ type: 'VariableDeclarator', id: node.param, init: identifier(caught.name) }],
        });
      }
      node.param = caught;
      node.body.body.unshift(expressionStatement(call(ctx.operator('rethrowInternal'), [identifier(caught.name)])));
    },
  });
  return fn;
}
