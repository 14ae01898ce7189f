// What a build worked out about the functions in code it converted: whether each changes anything outside itself.

/** Bits of what a function may change, as graph/local_purity.ts answers for each reach. */
export const CHANGES = { call: 1, branch: 2, trace: 4 } as const;

/** How much code may change: a call, a branch (also its function's variables), a trace (also tf's state). */
export type Reach = keyof typeof CHANGES;

/** By function object: a bundle renames and minifies converted code, so its text no longer says this. */
const known = new WeakMap<object, number>();

/**
 * `ag__.analysed(fn, changes)`: records what the build found `fn` may change (CHANGES bits) and returns
 * `fn`. Code converted at build time wraps its nested functions in this, or calls it on declared ones.
 */
export function analysed<F>(fn: F, changes: number): F {
  if (typeof fn === 'function') known.set(fn, changes);
  return fn;
}

/** What the build found `fn` may change, for `reach`; undefined for functions no build looked at. */
export function analysedChanges(fn: object, reach: Reach): boolean | undefined {
  const changes = known.get(fn);
  return changes === undefined ? undefined : (changes & CHANGES[reach]) !== 0;
}
