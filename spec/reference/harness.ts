// Runs reference cases: the original on plain values, the converted function on plain values and on tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { toGraph } from '../../lib/index.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';
import { captureLog } from '../helpers/console.js';
import { GraphRuns } from '../helpers/graph_mode.js';

/** How an argument is passed: as written, as one int32 tensor, or as an array of int32 tensors (rows). */
export type Kind = 'plain' | 'tensor' | 'tensors';

export interface ReferenceCase {
  fn: (...args: never[]) => unknown;
  args: unknown[];
  kinds: Kind[];
  /** When set, the tensor run must fail with a message containing this. */
  error?: string;
  /** The scope option for toGraph: the module functions the case calls. */
  scope?: Record<string, unknown>;
}

function asKind(value: unknown, kind: Kind): unknown {
  if (kind === 'plain') return value;
  if (kind === 'tensors') return (value as number[][]).map((row) => tf.tensor1d(row, 'int32'));
  if (typeof value === 'number') return tf.scalar(value, 'int32');
  if (typeof value === 'boolean') return tf.scalar(value, 'bool');
  const shape =
    Array.isArray(value) && Array.isArray(value[0]) ? [value.length, (value[0] as unknown[]).length] : undefined;
  return tf.tensor(value as number[], shape, 'int32');
}

async function plainValue(value: unknown, inputs: unknown[]): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((item) => plainValue(item, inputs)));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await plainValue(item, inputs)] as const),
    );
    return Object.fromEntries(entries);
  }
  return valueOf(value, inputs);
}

/** int32 has no negative zero: JavaScript's -0 is 0 once it is a tensor. */
const withoutNegativeZero = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNegativeZero(item)]));
  }
  return Object.is(value, -0) ? 0 : value;
};

const label = (c: ReferenceCase) =>
  `${c.fn.name}(${c.args.map((a) => JSON.stringify(a)).join(', ')}) as ${c.kinds.join(', ')}`;

export function referenceCases(title: string, cases: ReferenceCase[]): void {
  describeWithBackends(`reference: ${title}`, () => {
    it(`agrees with the original on ${cases.length} cases, traced and replayed`, async function () {
      this.timeout(300_000);
      const runs = new GraphRuns();
      for (const c of cases) {
        const call = c.fn as (...args: unknown[]) => unknown;
        const converted = toGraph(call, c.scope ? { scope: c.scope } : undefined);
        // Originals that build tensors themselves return tensors even on plain inputs: compare their values.
        const original = await captureLog(async () => plainValue(call(...c.args), [])).catch((e: unknown) => e);
        if (original instanceof Error) {
          // The original throws on these plain values: so must the converted function, with the same error type.
          const error = await converted(...c.args).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `${label(c)}, converted on plain values`).to.be.instanceOf(original.constructor);
          if (c.kinds.every((kind) => kind === 'plain')) continue;
        }
        const { result: expected, lines: expectedLines } =
          original instanceof Error
            ? { result: undefined, lines: [] }
            : (original as { result: unknown; lines: unknown[][] });
        if (!(original instanceof Error)) {
          const plainRun = await captureLog(async () => plainValue(await converted(...c.args), []));
          expect(plainRun.result, `${label(c)}, converted on plain values`).to.deep.equal(expected);
          expect(plainRun.lines, `${label(c)}, printed on plain values`).to.deep.equal(expectedLines);
        }
        if (c.kinds.every((kind) => kind === 'plain')) continue;
        const inputs = c.args.map((arg, i) => asKind(arg, c.kinds[i]!));
        const flat = inputs.flatMap((input) => (Array.isArray(input) ? input : [input]));
        const before = tf.memory().numTensors;
        try {
          if (c.error !== undefined) {
            const error = await converted(...inputs).then(
              () => undefined,
              (e: unknown) => e as Error,
            );
            expect(error?.message, label(c)).to.contain(c.error);
          } else {
            // Twice: the first call with a signature traces, the second replays the graph.
            for (const time of ['first', 'second']) {
              const run = await captureLog(async () => plainValue(await converted(...inputs), flat));
              expect(run.result, `${label(c)}, ${time} call`).to.deep.equal(withoutNegativeZero(expected));
              expect(run.lines, `${label(c)}, printed on the ${time} call`).to.deep.equal(expectedLines);
              runs.check(converted.lastRun, `${label(c)}, ${time} call`);
            }
          }
          expect(tf.memory().numTensors, `${label(c)}: live tensors`).to.equal(before);
        } finally {
          tf.dispose(flat.filter((t): t is tf.Tensor => t instanceof tf.Tensor));
        }
      }
      console.log(`      ${runs.summary()}`);
    });
  });
}
