// Renaming: the references to some bindings, found through the scope analysis, take new names.

import type * as ESTree from 'estree';
import { walk } from '../../codegen/ast.js';
import type { Binding, ScopeInfo } from '../../analysis/scopes.js';

/**
 * Gives every reference under `root` to a binding in `renamed` its new name. A shorthand property whose
 * value was renamed (`{ a }`, in a literal or a pattern) spells its key out, so that it still names `a`.
 */
export function renameReferences(
  root: ESTree.Node | null | undefined,
  renamed: ReadonlyMap<Binding, string>,
  scopes: ScopeInfo,
): void {
  if (!root) return;
  walk(root, {
    enter(node) {
      if (node.type !== 'Identifier') return;
      const binding = scopes.referenceOf.get(node)?.binding;
      const name = binding && renamed.get(binding);
      if (name) node.name = name;
    },
    leave(node) {
      if (node.type !== 'Property' || !node.shorthand || node.key.type !== 'Identifier') return;
      const value = node.value.type === 'AssignmentPattern' ? node.value.left : node.value;
      if (value.type === 'Identifier' && value.name !== node.key.name) node.shorthand = false;
    },
  });
}
