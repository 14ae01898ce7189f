// Activity analysis: for each if, loop and switch, the outer variables that the construct assigns.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import type { Binding, Scope, ScopeInfo } from './scopes.js';

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
export function analyzeActivity(fn: ESTree.Node, scopes: ScopeInfo): WeakMap<ESTree.Node, Set<Binding>> {
  const modified = new WeakMap<ESTree.Node, Set<Binding>>();
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

/** The variable at the root of a member chain, as `list` in `list.push` or `self` in `self.w[i]`. */
function rootName(node: ESTree.Node): ESTree.Identifier | undefined {
  let object = node;
  while (object.type === 'MemberExpression') object = object.object;
  return object.type === 'Identifier' ? object : undefined;
}

/**
 * Returns, for every loop in `fn`, the bindings declared outside it whose objects the loop may store into:
 * the roots of member assignments (`self.w = ...`, `rows[i][j] = ...`) and of method calls
 * (`losses.push(loss)`). A staged loop keeps the tensors these objects reach alive across iterations.
 */
export function analyzeStores(fn: ESTree.Node, scopes: ScopeInfo): WeakMap<ESTree.Node, Set<Binding>> {
  const stores = new WeakMap<ESTree.Node, Set<Binding>>();
  const open: { node: ESTree.Node; inner: Set<Scope>; stored: Set<Binding> }[] = [];
  const note = (target: ESTree.Node) => {
    const root = target.type === 'MemberExpression' ? rootName(target) : undefined;
    const binding = root ? scopes.referenceOf.get(root)?.binding : undefined;
    if (binding) for (const construct of open) construct.stored.add(binding);
  };
  walk(fn, {
    enter(node) {
      const scope = scopes.scopeOf.get(node);
      if (scope) {
        for (const construct of open) if (construct.node !== node) construct.inner.add(scope);
      }
      if (CONSTRUCTS.has(node.type) && node.type !== 'IfStatement' && node.type !== 'SwitchStatement') {
        open.push({ node, inner: new Set(), stored: new Set() });
      }
      if (node.type === 'AssignmentExpression') note(node.left);
      else if (node.type === 'UpdateExpression') note(node.argument);
      else if (node.type === 'CallExpression') note(node.callee);
    },
    leave(node) {
      const top = open[open.length - 1];
      if (top?.node !== node) return;
      open.pop();
      stores.set(node, new Set([...top.stored].filter((binding) => !top.inner.has(binding.scope))));
    },
  });
  return stores;
}
