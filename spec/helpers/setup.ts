// Root hooks for every spec: tfjs's one-time Node banner quieted, and every graph-mode fallback checked.
import * as tf from '@tensorflow/tfjs';
import { GraphCache, setFusion } from '../../lib/api/graph_mode.js';
import { DOCUMENTED_FALLBACKS } from './graph_mode.js';
import { installReplayCheck, replayChecks } from './replay_check.js';

/**
 * Reasons for running op by op that no pattern in DOCUMENTED_FALLBACKS covers, met by the current spec's
 * calls. A call that fell back in graph mode must say why, and docs/graph-mode.md must list the reason:
 * whatever a spec runs, not only the specs that check `lastRun` themselves.
 */
const undocumented: string[] = [];

const run = installReplayCheck(GraphCache.prototype.run);
GraphCache.prototype.run = function (this: GraphCache, ...args: Parameters<typeof run>) {
  const check = () => {
    const last = this.lastRun;
    if (last.how !== 'eager') return;
    const reason = last.reason ?? '';
    if (!DOCUMENTED_FALLBACKS.some((pattern) => pattern.test(reason))) undocumented.push(reason || '(no reason)');
  };
  return run.apply(this, args).then(
    (value) => {
      check();
      return value;
    },
    (error: unknown) => {
      check();
      throw error;
    },
  );
};

/** `AUTOGRAPH_FUSION=off` runs every spec with fused kernels off: each behaviour must hold both ways. */
export const fusionOff = process.env.AUTOGRAPH_FUSION === 'off';

export const mochaHooks = {
  beforeAll() {
    tf.env().set('PROD', true);
    if (fusionOff) setFusion(false);
  },
  afterAll() {
    const { compared, random, notReplayable } = replayChecks;
    // Straight to stdout: a spec may have left console.log captured.
    process.stdout.write(
      `\n  every trace replayed and compared: ${compared} replays equal to their traces, ${random} with random ` +
        `draws (prints compared, values not), ${notReplayable} not replayable at once (branches left to trace)\n`,
    );
  },
  beforeEach() {
    undocumented.length = 0;
  },
  afterEach() {
    if (undocumented.length === 0) return;
    const reasons = [...new Set(undocumented)].join('; ');
    undocumented.length = 0;
    throw new Error(`graph mode fell back for a reason docs/graph-mode.md does not give: ${reasons}`);
  },
};
