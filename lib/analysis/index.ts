// Runs the analyses over a function and answers what each construct carries; analysis never transforms.

import type * as ESTree from 'estree';
import { analyzeActivity, analyzeStores } from './activity.js';
import { analyzeLiveness, type Liveness } from './liveness.js';
import { analyzeScopes, type Binding, type ScopeInfo } from './scopes.js';

export interface Analysis extends Liveness {
  scopes: ScopeInfo;
  /** Per construct: the outer bindings it assigns. */
  modified: WeakMap<ESTree.Node, Set<Binding>>;
  /** Per loop: the outer bindings whose objects it stores into. */
  stored: WeakMap<ESTree.Node, Set<Binding>>;
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
 * The objects a loop stores into that its carried state does not hold (`losses` in `losses.push(loss)`):
 * a staged loop keeps what they reach alive. Ordered by declaration.
 */
export function storeRoots(analysis: Analysis, node: ESTree.Node): Binding[] {
  const carried = new Set(carriedState(analysis, node));
  const stored = analysis.stored.get(node) ?? new Set<Binding>();
  return [...stored].filter((binding) => !carried.has(binding)).sort(byPosition);
}

export type { Binding, ScopeInfo } from './scopes.js';
