// Call trees: calls to functions that may be the user's go through the runtime, which converts them on
// their first call (AutoGraph's converted_call).
//
//   y = helper(x);           becomes   y = ag__.convertedCall(ag_ctx__, helper, undefined, [x], "helper");
//   this.step(x);            becomes   ag__.convertedMethodCall(ag_ctx__, self, "step", [x]);
//
// In converted bodies the callee runs inline: the staged back end makes the call wait (`yield*`) like the
// caller's own reads, and the plain back end runs the callee's plain clone (`ag__.convertedCallPlain`).
// Inside callbacks (nested functions, which the code that calls them expects to return at once) the call
// is `ag__.convertedCallInCallback`. Calls that cannot reach user code stay as written: tf's functions,
// the standard globals, the runtime's own calls.

import { twinCalled, walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode } from '../../analysis/scopes.js';
import { STANDARD_GLOBALS, TF_RANDOM_OPS } from '../../analysis/globals.js';
import { array, call, identifier, literal } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

/** The name a callback is known by in messages: its own name, its variable's, or what it is passed to. */
export function callbackName(fn: ESTree.Node, parent: ESTree.Node | null): string {
  const own = (fn as ESTree.FunctionExpression).id?.name;
  if (own) return `the callback '${own}'`;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier')
    return `the callback '${parent.id.name}'`;
  if (parent?.type === 'Property' && parent.key.type === 'Identifier') return `the callback '${parent.key.name}'`;
  if (parent?.type === 'CallExpression' && parent.callee !== fn) {
    const callee = parent.callee;
    const name =
      callee.type === 'Identifier'
        ? callee.name
        : callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier'
          ? callee.property.name
          : undefined;
    if (name) return `the callback passed to ${name}`;
  }
  return 'a callback';
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = ctx.scopesOf(fn);
  const context = identifier(ctx.callContext);
  /** The root of `a.b.c`, when it is a name the function does not declare. */
  const freeRoot = (node: ESTree.Node): string | undefined => {
    let root = node;
    while (root.type === 'MemberExpression') root = root.object;
    if (root.type !== 'Identifier') return undefined;
    const reference = scopes.referenceOf.get(root);
    return reference && reference.binding === null ? root.name : undefined;
  };
  /**
   * Functions the function defines itself (`function helper() {}`, `const f = (x) => ...`): nested
   * functions, converted with it (their operators are), whose closures a separate conversion would lose.
   */
  const isLocalFunction = (callee: ESTree.Node): boolean => {
    if (callee.type !== 'Identifier') return false;
    const binding = scopes.referenceOf.get(callee)?.binding;
    if (!binding) return false;
    if (binding.kind === 'function') return true;
    const declarator = declarators.get(binding.id);
    return (
      binding.kind === 'const' &&
      declarator?.init != null &&
      isFunctionNode(declarator.init) &&
      declarator.id === binding.id
    );
  };
  const declarators = new Map<ESTree.Node, ESTree.VariableDeclarator>();
  walk(fn as ESTree.Node, {
    enter(node) {
      if (node.type === 'VariableDeclarator') declarators.set(node.id, node);
    },
  });
  /** Callees that cannot be the user's functions from elsewhere: tf's, the standard globals', local ones. */
  const staysNative = (callee: ESTree.Node): boolean => {
    if (callee.type === 'Super' || isFunctionNode(callee) || isLocalFunction(callee)) return true;
    if (
      callee.type === 'MemberExpression' &&
      callee.object.type === 'Identifier' &&
      callee.object.name === ctx.runtime
    ) {
      return true;
    }
    const root = freeRoot(callee);
    return root !== undefined && (root === 'tf' || STANDARD_GLOBALS.has(root));
  };

  // Each function on the way down, with what it is: converted body, the plain clone, or a callback.
  const functions: { node: ESTree.Node; callback?: string }[] = [];

  /** The runtime call that replaces `node`, or undefined when the call stays as written. */
  const convertCall = (node: ESTree.CallExpression): ESTree.Expression | undefined => {
    const callback = functions[functions.length - 1]?.callback;
    // Converted code calls a local function's twin; a callback calls the function as written.
    const twin = callback === undefined ? twinCalled(node.callee) : undefined;
    if (twin !== undefined) {
      return call(
        ctx.operator('callLocal'),
        [identifier(twin), identifier('undefined'), array(node.arguments)],
        node.loc,
      );
    }
    // tf's random ops: through the runtime, which a graph trace asks to draw again on every replay.
    const { callee: target } = node;
    if (
      callback === undefined &&
      target.type === 'MemberExpression' &&
      !target.computed &&
      target.property.type === 'Identifier' &&
      TF_RANDOM_OPS.has(target.property.name) &&
      freeRoot(target) === 'tf' &&
      target.object.type === 'Identifier'
    ) {
      return call(ctx.operator('randomOp'), [target, literal(target.property.name), array(node.arguments)], node.loc);
    }
    if (staysNative(node.callee)) return undefined;
    const args = array(node.arguments);
    const { callee } = node;
    const method =
      callee.type === 'MemberExpression' &&
      callee.object.type !== 'Super' &&
      callee.property.type !== 'PrivateIdentifier'
        ? callee
        : undefined;
    const key = method
      ? method.computed
        ? (method.property as ESTree.Expression)
        : literal((method.property as ESTree.Identifier).name)
      : undefined;
    const suffix = callback !== undefined ? 'InCallback' : '';
    const extra = callback !== undefined ? [literal(callback)] : [];
    const replacement = method
      ? call(
          ctx.operator(`convertedMethodCall${suffix}`),
          [context, method.object as ESTree.Expression, key!, args, ...extra],
          node.loc,
        )
      : call(
          ctx.operator(`convertedCall${suffix}`),
          [
            context,
            callee as ESTree.Expression,
            identifier('undefined'),
            args,
            ...(callback !== undefined ? extra : callee.type === 'Identifier' ? [literal(callee.name)] : []),
          ],
          node.loc,
        );
    return replacement;
  };
  walk(fn as ESTree.Node, {
    enter(node, parent) {
      if (!isFunctionNode(node)) return;
      const converted = ctx.converted.has(node);
      const callback = converted ? undefined : callbackName(node, parent);
      functions.push({ node, callback });
    },
    leave(node, parent) {
      if (isFunctionNode(node)) {
        functions.pop();
        return;
      }
      if (node.type !== 'CallExpression' || node.optional || parent?.type === 'ChainExpression') return;
      const converted = convertCall(node);
      if (converted) this.replace(converted);
    },
  });
  return fn;
}
