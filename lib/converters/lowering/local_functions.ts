// Local functions: a function the converted function defines and calls directly gets a converted twin, so
// that a tensor condition inside it is staged as in any other user function.
//
//   const abs = (v) => (v > 0 ? v : -v);        stays, and gains
//   function abs_converted(v) { return v > 0 ? v : -v; }
//   return abs(a);                              becomes   return ag__.callLocal(abs_converted, undefined, [a]);
//
// The twin is converted code: the passes convert it as they convert the function itself (the staged back
// end makes it a generator, the plain back end a guarded synchronous copy), and calls from converted code
// go to it; one passed to a call is registered with its twin, which a converted callee then runs. The
// function as written stays, as a callback, for the code that needs an answer at once:
// array methods, tf.tidy, tf.grad, optimizer.minimize, and calls from inside other callbacks. Async and
// generator functions get no twin, nor do functions whose default values compute (a generator's
// parameters cannot wait) and function expressions that name themselves.

import type * as ESTree from 'estree';
import { cloneNode, markTwin, markTwinCall, walk } from '../../codegen/ast.js';
import { isFunctionNode, type Binding } from '../../analysis/scopes.js';
import { block, call, expressionStatement, identifier, returnStatement } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = ctx.scopesOf(fn);
  const definitions = new Map<Binding, ESTree.Function>();
  // Function declarations and `const f = (...) => ...` / `const f = function (...) {...}` of the converted
  // body itself (those inside callbacks run as callbacks).
  walk(fn.body as ESTree.Node, {
    enter(node, parent) {
      if (isFunctionNode(node)) this.skip();
      // Only statements of a block or a switch case, where the twin can be declared beside them.
      if (parent?.type !== 'BlockStatement' && parent?.type !== 'SwitchCase') return;
      let id: ESTree.Identifier | undefined;
      let local: ESTree.Function | undefined;
      if (node.type === 'FunctionDeclaration' && node.id) {
        [id, local] = [node.id, node];
      } else if (
        node.type === 'VariableDeclaration' &&
        node.kind === 'const' &&
        node.declarations.length === 1 &&
        node.declarations[0]!.id.type === 'Identifier' &&
        node.declarations[0]!.init &&
        (node.declarations[0]!.init.type === 'ArrowFunctionExpression' ||
          node.declarations[0]!.init.type === 'FunctionExpression')
      ) {
        [id, local] = [node.declarations[0]!.id, node.declarations[0]!.init];
      }
      if (!id || !local || local.async || local.generator || !canTwin(local)) return;
      const binding = scopes.referenceOf.get(id)?.binding ?? findBinding(scopes, id);
      // A function declaration the code assigns over is not always this function: it gets no twin.
      const reassigned = scopes.references.some(
        (reference) => reference.binding === binding && reference.write && reference.id !== id,
      );
      if (binding && !reassigned) definitions.set(binding, local);
    },
  });
  if (definitions.size === 0) return fn;
  // Only functions that code calls by their name, or passes to a call, need a twin; those passed on are
  // registered with it, so that a converted callee that calls them runs the twin.
  const called = new Set<Binding>();
  const passed = new Set<Binding>();
  const callSites = new Map<Binding, ESTree.Identifier[]>();
  const localOf = (node: ESTree.Node) => {
    const binding = node.type === 'Identifier' ? scopes.referenceOf.get(node)?.binding : undefined;
    return binding && definitions.has(binding) ? binding : undefined;
  };
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (node.type !== 'CallExpression') return;
      const callee = localOf(node.callee);
      if (callee) {
        called.add(callee);
        callSites.set(callee, [...(callSites.get(callee) ?? []), node.callee as ESTree.Identifier]);
      }
      for (const arg of node.arguments) {
        const binding = localOf(arg);
        if (binding) passed.add(binding);
      }
    },
  });
  for (const binding of passed) called.add(binding);
  if (called.size === 0) return fn;
  // The calls are marked first, so that the twins' copies of calls (recursion, calls between local
  // functions) carry the mark too: later passes may rename a function (a switch case's const), not a mark.
  const twinNames = new Map([...called].map((binding) => [binding, ctx.namer.fresh(`${binding.name}_converted`)]));
  for (const [binding, name] of twinNames) {
    for (const site of callSites.get(binding) ?? []) markTwinCall(site, name);
  }
  const twins = new Map<ESTree.Node, { twin: ESTree.FunctionDeclaration; registered: boolean; name: string }>();
  for (const binding of called) {
    const local = definitions.get(binding)!;
    const body = cloneNode(local.body);
    const twin: ESTree.FunctionDeclaration = {
      type: 'FunctionDeclaration',
      id: identifier(twinNames.get(binding)!),
      params: local.params.map((param) => cloneNode(param)),
      body: body.type === 'BlockStatement' ? body : block([{ ...returnStatement(body), loc: body.loc }]),
      generator: true,
      async: false,
      loc: local.loc,
    };
    markTwin(twin, binding.name);
    ctx.converted.add(twin);
    ctx.userNames.set(twin.id!.name, binding.name);
    twins.set(local, { twin, registered: passed.has(binding), name: binding.name });
  }
  // Each twin goes right after the statement that defines its function, in the same scope.
  const place = (list: ESTree.Statement[]) =>
    list.flatMap((statement) => {
      const local =
        statement.type === 'FunctionDeclaration'
          ? statement
          : statement.type === 'VariableDeclaration'
            ? statement.declarations[0]?.init
            : undefined;
      const entry = local && twins.get(local);
      if (!entry) return [statement];
      const { twin, registered, name } = entry;
      const register = expressionStatement(
        call(ctx.operator('registerLocal'), [identifier(name), identifier(twin.id!.name)]),
      );
      return registered ? [statement, twin, register] : [statement, twin];
    });
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (isFunctionNode(node)) return this.skip();
      if (node.type === 'BlockStatement') node.body = place(node.body);
      if (node.type === 'SwitchCase') node.consequent = place(node.consequent);
    },
  });
  return fn;
}

/**
 * Whether a twin can stand for `local`: its parameters' default values are plain (a generator's
 * parameters cannot wait), and a function expression does not name itself (the twin would lose the name).
 */
function canTwin(local: ESTree.Function): boolean {
  if (local.type === 'FunctionExpression' && local.id) return false;
  let plain = true;
  for (const param of local.params) {
    walk(param as ESTree.Node, {
      enter(node) {
        if (node.type === 'AssignmentPattern' && !isPlainDefault(node.right)) plain = false;
      },
    });
  }
  return plain;
}

const isPlainDefault = (node: ESTree.Node): boolean =>
  node.type === 'Literal' ||
  node.type === 'Identifier' ||
  (node.type === 'UnaryExpression' && node.argument.type === 'Literal') ||
  ((node.type === 'ArrayExpression' || node.type === 'ObjectExpression') &&
    (node.type === 'ArrayExpression' ? node.elements : node.properties).length === 0);

/** The binding an identifier declares, when the analysis records declarations apart from references. */
function findBinding(scopes: ReturnType<ConversionContext['scopesOf']>, id: ESTree.Identifier): Binding | undefined {
  for (const scope of scopes.scopeOf.values()) {
    const binding = scope.bindings.get(id.name);
    if (binding?.id === id) return binding;
  }
  return scopes.root.bindings.get(id.name)?.id === id ? scopes.root.bindings.get(id.name) : undefined;
}
