// Conditional expressions: `c ? a : b` is staged on a tensor `c`, and only the side taken runs.
//
//   y = x > 0 ? x : -x;      becomes   y = yield* ag__.ifExp(ag__.greater(x, 0), function* () { return x; },
//                                                            function* () { return ag__.neg(x); });

import type * as ESTree from 'estree';
import { call, yieldDelegate } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { isNativeBoolean, thunk, walkConvertedBodies } from './logical_expressions.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const runtime = ctx.operator('ifExp');
  walkConvertedBodies(fn, ctx, (node, replace) => {
    if (node.type !== 'ConditionalExpression' || isNativeBoolean(node.test)) return;
    replace(
      yieldDelegate(call(runtime, [node.test, thunk(node.consequent, ctx), thunk(node.alternate, ctx)], node.loc)),
    );
  });
  return fn;
}
