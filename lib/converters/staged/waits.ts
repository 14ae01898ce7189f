// Waits: the runtime calls that may have to wait for a read (a print of a tensor, a converted callee's
// staged condition) run as delegated generators in the staged back end.
//
//   ag__.consoleCall(console, "log", [x]);   becomes   yield* ag__.consoleCall(console, "log", [x]);
//
// The first pass of the staged back end. The common lowering emitted these calls only in the converted
// body (callbacks got their `InCallback` variants), and the function is a generator, so each may wait.

import type * as ESTree from 'estree';
import { walk } from '../../codegen/ast.js';
import { yieldDelegate } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { runtimeCallee, WAITING_OPERATORS } from '../runtime_calls.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  walk(fn.body as ESTree.Node, {
    leave(node) {
      const name = runtimeCallee(node, ctx);
      if (name !== undefined && name in WAITING_OPERATORS) {
        this.replace(yieldDelegate(node as ESTree.CallExpression));
      }
    },
  });
  return fn;
}
