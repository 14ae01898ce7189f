// Runs the analyses over a function and answers what each construct carries; analysis never transforms.

import type * as ESTree from 'estree';
import { analyzeActivity, analyzeStores } from './activity.js';
import { analyzeLiveness, type Liveness } from './liveness.js';
import { analyzeScopes, type Binding, type ScopeInfo } from './scopes.js';

export interface Analysis extends Liveness {
  scopes: ScopeInfo;
  /** Per construct: the outer bindings it assigns. */
  modified: Map<ESTree.Node, Set<Binding>>;
  /** Per loop: the outer bindings and outside names it mentions, whose objects it may store into. */
  stored: Map<ESTree.Node, { bindings: Set<Binding>; free: Set<string> }>;
}

export function analyze(fn: ESTree.Function): Analysis {
  const scopes = analyzeScopes(fn);
  return {
    scopes,
    modified: analyzeActivity(fn as ESTree.Node, scopes),
    stored: analyzeStores(fn as ESTree.Node, scopes),
    ...analyzeLiveness(fn, scopes),
  };
}

const byPosition = (a: Binding, b: Binding) =>
  (a.id as { start?: number }).start! - (b.id as { start?: number }).start!;

/**
 * The state a staged construct carries: the bindings it assigns that are read after it, or, for a loop,
 * read in a later iteration. Ordered by declaration, so generated code is stable.
 */
export function carriedState(analysis: Analysis, node: ESTree.Node): Binding[] {
  const modified = analysis.modified.get(node) ?? new Set<Binding>();
  const live = analysis.liveAtHead.get(node) ?? analysis.liveOut.get(node) ?? new Set<Binding>();
  return [...modified].filter((binding) => live.has(binding)).sort(byPosition);
}

/**
 * What a loop may store tensors into besides its carried state (`losses` in `losses.push(loss)`, `out` in
 * `pushTo(out, t)`): the outer variables it mentions, by declaration order, then the outside names. A
 * staged loop keeps what they reach alive.
 */
export function storeRoots(analysis: Analysis, node: ESTree.Node): { bindings: Binding[]; free: string[] } {
  const carried = new Set(carriedState(analysis, node));
  const stored = analysis.stored.get(node);
  if (!stored) return { bindings: [], free: [] };
  // A for-of or for-in variable belongs to each iteration, which gets it as a parameter: not a root.
  const head =
    node.type === 'ForOfStatement' || node.type === 'ForInStatement' ? analysis.scopes.scopeOf.get(node) : undefined;
  const bindings = [...stored.bindings].filter(
    (binding) => !carried.has(binding) && binding.kind !== 'function' && binding.scope !== head,
  );
  return { bindings: bindings.sort(byPosition), free: [...stored.free].sort() };
}

export type { Binding, ScopeInfo } from './scopes.js';

/**
 * What a staged if assigns without carrying it: variables its branches assign that nothing reads after
 * it. A graph trace that runs the branch not taken gives them back their values from before the if
 * first, since that branch reads them as they were. Ordered by declaration.
 */
export function uncarriedAssignments(analysis: Analysis, node: ESTree.Node): Binding[] {
  const carried = new Set(carriedState(analysis, node));
  const modified = analysis.modified.get(node) ?? new Set<Binding>();
  return [...modified].filter((binding) => !carried.has(binding) && binding.kind !== 'function').sort(byPosition);
}
