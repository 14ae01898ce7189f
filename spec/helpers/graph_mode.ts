// Graph-mode checks for behaviour specs: a call was traced or replayed, or fell back for a documented reason.
import { expect } from 'chai';
import type { LastRun } from '../../lib/index.js';

/**
 * The reasons docs/graph-mode.md gives for running a call op by op, as patterns of `lastRun.reason`. A
 * fallback whose reason is not here is a defect: either graph mode should have handled it, or the docs
 * should say why it does not.
 */
export const DOCUMENTED_FALLBACKS: readonly RegExp[] = [
  /reads a tensor's values into JavaScript/,
  /uses random numbers/,
  /decides on a tensor's value, which graph mode does not record yet/,
  /stores into an object/,
  /leaves it through an object, not a variable/,
  /has a value after a staged if only when its condition holds/,
  /iterations of .* run different work/,
  /a JavaScript value that .* carries changes from one iteration to the next/,
  /the dtypes or shapes of what .* carries keep changing/,
  /gets a value in a staged if that is neither a tensor nor a number/,
  /creates tf\.Variable/,
  /an async function may await values from outside/,
  /an iterator argument is used up by one call/,
  /two traces of one signature differ/,
  /the call ended inside a staged construct/,
  /a function defined in the traced one runs inside a staged if/,
  /a branch of a staged if changes something outside it/,
  /a branch of a staged if calls .*, which may change something outside it/,
  /an operand of a staged &&, \|\| or \?: assigns a variable or changes an object/,
  /after a staged if when its condition holds and .* when not/,
  /give a value of .* in one and .* in the other/,
  /returns tf\.Variable .*, which it created/,
  /a gradient tape is recording/,
  /changes an object it did not make/,
  /changes an array or set in place/,
];

/** How calls ran, by how, and the fallback reasons seen. */
export class GraphRuns {
  readonly counts: Record<string, number> = {};
  readonly reasons = new Map<string, number>();

  /** Records `run` and checks it: traced, replayed, or op by op for a documented reason. */
  check(run: LastRun, label: string): void {
    this.counts[run.how] = (this.counts[run.how] ?? 0) + 1;
    if (run.how !== 'eager') return;
    const reason = run.reason ?? '';
    expect(reason, `${label}: graph mode fell back without a reason`).to.not.equal('');
    expect(
      DOCUMENTED_FALLBACKS.some((pattern) => pattern.test(reason)),
      `${label}: graph mode fell back for an undocumented reason: ${reason}`,
    ).to.equal(true);
    const key = DOCUMENTED_FALLBACKS.find((pattern) => pattern.test(reason))!.source;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  summary(): string {
    const reasons = [...this.reasons].map(([reason, n]) => `${n}× ${reason.replace(/\\/g, '')}`).join('; ');
    const { traced = 0, replayed = 0, eager = 0 } = this.counts;
    return `graph mode: ${traced} traced, ${replayed} replayed, ${eager} op by op${reasons ? ` (${reasons})` : ''}`;
  }
}
