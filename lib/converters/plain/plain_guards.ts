// Plain guards: the plain back end's one pass, a synchronous copy of the function for plain values, where
// every decision a tensor would stage, and every call that would wait, is guarded instead.
//
//   if (ag__.greater(x, 0)) { y = x; }         becomes   if (ag__.conditionPlain(ag__.greater(x, 0))) { y = x; }
//   ag__.consoleCall(console, "log", [x]);     becomes   ag__.consoleCallPlain(console, "log", [x]);
//
// `ag__.conditionPlain` returns a plain value as it is and throws the runtime's restage signal for a
// tensor; the `Plain` calls buffer prints and run callees' plain clones, and restage on a tensor too (every
// catch block first rethrows the signal: lowering/catch_clauses.ts). The runtime then drops the clone's run and runs the staged function from the start. Only functions whose
// runs can be abandoned without a trace get a clone (see analysis/effects.ts). Prints inside callbacks
// are buffered too, so that a restarted run prints nothing twice. The fast paths come after this pass.

import type * as ESTree from 'estree';
import { isFunctionNode } from '../../analysis/scopes.js';
import { isTwin, stopFlagsOf, walk } from '../../codegen/ast.js';
import { block, call, identifier, logical } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { runtimeCallee, WAITING_OPERATORS } from '../runtime_calls.js';

/** The calls that become their plain variant: those that may wait, and prints inside callbacks. */
const PLAIN_VARIANTS: Readonly<Record<string, string>> = {
  ...WAITING_OPERATORS,
  consoleCallInCallback: 'consoleCallPlain',
  consoleAssertInCallback: 'consoleAssertPlain',
  toStringOfInCallback: 'toStringOfPlain',
  jsonStringifyInCallback: 'jsonStringifyPlain',
  registerLocal: 'registerLocalPlain',
};

const anyOf = (expressions: ESTree.Expression[]): ESTree.Expression =>
  expressions.reduce((left, right) => logical('||', left, right));

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const guard = (value: ESTree.Expression) => call(ctx.operator('conditionPlain'), [value], value.loc);
  /** The flags of lowered jumps that stop a for-of or for-in loop: a native break, tested before each iteration. */
  const stopBeforeEachIteration = (loop: ESTree.ForOfStatement | ESTree.ForInStatement) => {
    const flags = stopFlagsOf(loop);
    if (flags.length === 0) return;
    const stop: ESTree.IfStatement = {
      type: 'IfStatement',
      test: anyOf(flags.map(identifier)),
      consequent: { type: 'BreakStatement', label: null },
      alternate: null,
    };
    loop.body = block([stop, ...(loop.body.type === 'BlockStatement' ? loop.body.body : [loop.body])]);
  };
  let depth = 0;
  walk(fn.body as ESTree.Node, {
    enter(node) {
      // A local function's twin is converted code, a synchronous copy here like the function itself.
      if (isTwin(node)) (node as ESTree.FunctionDeclaration).generator = false;
      else if (isFunctionNode(node)) depth++;
    },
    leave(node) {
      if (isFunctionNode(node)) {
        if (!isTwin(node)) depth--;
        return;
      }
      const callee = runtimeCallee(node, ctx);
      if (callee !== undefined && PLAIN_VARIANTS[callee] !== undefined) {
        (node as ESTree.CallExpression).callee = ctx.operator(PLAIN_VARIANTS[callee]);
        return;
      }
      // Nested functions keep their native control flow in both back ends (callback_conditions).
      if (depth > 0) return;
      switch (node.type) {
        case 'IfStatement':
        case 'ConditionalExpression':
        case 'WhileStatement':
        case 'DoWhileStatement':
          node.test = guard(node.test);
          break;
        case 'ForStatement':
          if (node.test) node.test = guard(node.test);
          break;
        case 'ForOfStatement':
          node.right = call(ctx.operator('iterablePlain'), [node.right], node.right.loc);
          stopBeforeEachIteration(node);
          break;
        case 'ForInStatement':
          stopBeforeEachIteration(node);
          break;
        case 'SwitchStatement':
          node.discriminant = guard(node.discriminant);
          break;
        case 'LogicalExpression':
          if (node.operator !== '??') node.left = guard(node.left);
          break;
        default:
          break;
      }
    },
  });
  return fn;
}
