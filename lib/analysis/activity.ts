// Activity analysis: for each if, loop and switch, the outer variables that the construct assigns.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode, type Binding, type Scope, type ScopeInfo } from './scopes.js';

const CONSTRUCTS = new Set([
  'IfStatement',
  'WhileStatement',
  'DoWhileStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'SwitchStatement',
]);

/**
 * Returns, for every control-flow construct in `fn`, the bindings declared outside it that it assigns,
 * including assignments made by closures created inside it. The scope a `for` head opens counts as
 * outside the loop: its `let` variables are what the loop carries.
 */
export function analyzeActivity(fn: ESTree.Node, scopes: ScopeInfo): Map<ESTree.Node, Set<Binding>> {
  const modified = new Map<ESTree.Node, Set<Binding>>();
  // Constructs open on the way down, each with the scopes opened inside it so far.
  const open: { node: ESTree.Node; inner: Set<Scope>; assigned: Set<Binding> }[] = [];
  walk(fn, {
    enter(node) {
      const scope = scopes.scopeOf.get(node);
      if (scope) {
        for (const construct of open) if (construct.node !== node) construct.inner.add(scope);
      }
      if (CONSTRUCTS.has(node.type)) open.push({ node, inner: new Set(), assigned: new Set() });
      if (node.type === 'Identifier') {
        const reference = scopes.referenceOf.get(node);
        if (reference?.write && reference.binding) {
          for (const construct of open) construct.assigned.add(reference.binding);
        }
      }
    },
    leave(node) {
      const top = open[open.length - 1];
      if (top?.node !== node) return;
      open.pop();
      modified.set(node, new Set([...top.assigned].filter((binding) => !top.inner.has(binding.scope))));
    },
  });
  return modified;
}

/** The bindings that nested functions of `fn` use from outside themselves: what closures capture. */
function capturedBindings(fn: ESTree.Node, scopes: ScopeInfo): Set<Binding> {
  const captured = new Set<Binding>();
  // The nested functions open on the way down, each with the scopes opened inside it.
  const closures: { node: ESTree.Node; inner: Set<Scope> }[] = [];
  walk(fn, {
    enter(node) {
      if (node !== fn && isFunctionNode(node)) closures.push({ node, inner: new Set() });
      const scope = scopes.scopeOf.get(node);
      if (scope) for (const closure of closures) closure.inner.add(scope);
      const binding = node.type === 'Identifier' ? scopes.referenceOf.get(node)?.binding : undefined;
      if (binding && closures.length > 0 && !closures[closures.length - 1]!.inner.has(binding.scope)) {
        captured.add(binding);
      }
    },
    leave(node) {
      if (closures[closures.length - 1]?.node === node) closures.pop();
    },
  });
  return captured;
}

/** Whether `binding` is declared before `node` starts, so that code next to `node` may read it. */
const declaredBefore = (binding: Binding, node: ESTree.Node) => {
  const declared = (binding.id as { start?: number }).start;
  const start = (node as { start?: number }).start;
  return declared !== undefined && start !== undefined && declared < start;
};

/**
 * Returns, for every loop in `fn`, what its iterations may store tensors into: the bindings declared
 * outside it that it mentions (a list it pushes to, an object it sets, an array it passes to a helper),
 * the bindings in scope there that closures capture (`const rec = (v) => h.push(v)` stores into `h` when
 * the loop calls it), and the outside names it mentions that the function does not declare. A staged loop
 * keeps the tensors these reach alive across iterations.
 */
export function analyzeStores(
  fn: ESTree.Node,
  scopes: ScopeInfo,
): Map<ESTree.Node, { bindings: Set<Binding>; free: Set<string> }> {
  const stores = new Map<ESTree.Node, { bindings: Set<Binding>; free: Set<string> }>();
  const open: { node: ESTree.Node; inner: Set<Scope>; stored: Set<Binding>; free: Set<string> }[] = [];
  const captured = capturedBindings(fn, scopes);
  // The scopes around the current node.
  const enclosing: Scope[] = [];
  walk(fn, {
    enter(node) {
      const scope = scopes.scopeOf.get(node);
      if (scope) {
        for (const construct of open) if (construct.node !== node) construct.inner.add(scope);
        enclosing.push(scope);
      }
      if (CONSTRUCTS.has(node.type) && node.type !== 'IfStatement' && node.type !== 'SwitchStatement') {
        open.push({ node, inner: new Set(), stored: new Set(), free: new Set() });
      }
      if (node.type !== 'Identifier') return;
      const reference = scopes.referenceOf.get(node);
      if (!reference) return;
      for (const construct of open) {
        if (reference.binding) construct.stored.add(reference.binding);
        else construct.free.add(node.name);
      }
    },
    leave(node) {
      if (scopes.scopeOf.has(node)) enclosing.pop();
      const top = open[open.length - 1];
      if (top?.node !== node) return;
      open.pop();
      const bindings = new Set([...top.stored].filter((binding) => !top.inner.has(binding.scope)));
      for (const binding of captured) {
        if (enclosing.includes(binding.scope) && declaredBefore(binding, node)) bindings.add(binding);
      }
      stores.set(node, { bindings, free: top.free });
    },
  });
  return stores;
}
