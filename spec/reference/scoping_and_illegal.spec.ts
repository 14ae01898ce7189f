// AutoGraph's loop_scoping cases, and its illegal loop cases with the errors this library documents.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { StagingError, toGraph } from '../../lib/index.js';
import { describeWithBackends, expectNoLeaks, rejection, valueOf } from '../helpers/backends.js';
import { referenceCases, type Kind, type ReferenceCase } from './harness.js';
import * as illegal from './illegal_cases.js';
import * as created from './loop_created_variables.js';
import * as scoping from './loop_scoping.js';

const KINDS: Kind[] = ['plain', 'tensor'];
const all = (fn: ReferenceCase['fn'], args: unknown[]): ReferenceCase[] =>
  KINDS.map((kind) => ({ fn, args, kinds: args.map(() => kind) }));
const plainOnly = (fn: ReferenceCase['fn'], args: unknown[]): ReferenceCase => ({ fn, args, kinds: ['plain'] });
const lists = [[], [1], [1, 2]];

referenceCases('loop_scoping', [
  ...lists.flatMap((l) => all(scoping.forWithLocalVar, [l])),
  ...[0, 1, 2].flatMap((x) => all(scoping.whileWithLocalVar, [x])),
  ...[[1], [1, 2]].map((l) => plainOnly(scoping.forWithLambdaIterLocalVar, [l])),
  ...lists.map((l) => plainOnly(scoping.forInitializesLocalVar, [l])),
  ...[0, 1, 2].map((x) => plainOnly(scoping.whileInitializesLocalVar, [x])),
  ...[[1], [1, 2]].map((l) => plainOnly(scoping.forDefinesVar, [l])),
  ...[1, 2].map((x) => plainOnly(scoping.whileDefinesVar, [x])),
  ...lists.flatMap((l) => [...all(scoping.forReusesIterate, [l]), ...all(scoping.forAltersIterate, [l])]),
  // A variable first assigned in a staged loop and read afterwards has no value a graph could start from.
  ...[[1], [1, 2]].map((l) => ({
    fn: scoping.forDefinesVar,
    args: [l],
    kinds: ['tensor'] as Kind[],
    error: "'x' must be defined before the loop",
  })),
]);

// TensorFlow gives a loop-created variable a value when the loop runs at least once; this library asks for
// a value before the loop, as AutoGraph's message says, so the tensor runs fail with that message.
referenceCases(
  'loop_created_variables',
  Object.values(created).flatMap((fn) =>
    [0, 1, 2].flatMap((n): ReferenceCase[] => [
      plainOnly(fn, [n]),
      { fn, args: [n], kinds: ['tensor'], error: "'v' must be defined before the loop" },
    ]),
  ),
);

describeWithBackends('reference: illegal loop cases', () => {
  const rejects = async (fn: (...args: never[]) => unknown, args: unknown[], message: string) => {
    const error = await expectNoLeaks(() =>
      toGraph(fn as (...a: unknown[]) => unknown)(...args).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error, `${fn.name} must fail`).to.be.instanceOf(StagingError);
    expect((error as Error).message).to.contain(message);
  };

  // AutoGraph refuses these; here the loop goes on staged once its continuation depends on a tensor.
  const run = async (fn: (...args: never[]) => unknown, args: unknown[]) =>
    expectNoLeaks(async () => valueOf(await toGraph(fn as (...a: unknown[]) => unknown)(...args)));

  it('a tensor-dependent break or return in a for-of over an array stops the loop where its tensor says', async () => {
    for (const [l, sum] of [
      [[1], 0],
      [[2, 1, 4], 2],
      [[2, 4, 6], 12],
    ] as const) {
      expect(await run(illegal.tfBreakInPlainFor, [l]), `break, ${l.join(',')}`).to.equal(sum);
      expect(await run(illegal.tfReturnInPlainFor, [l]), `return, ${l.join(',')}`).to.equal(0);
    }
  });

  it('a tensor-dependent break in a while loop with a plain condition stops the loop where its tensor says', async () => {
    expect(await run(illegal.tfBreakInPlainWhile, [2])).to.equal(0);
    expect(await run(illegal.tfBreakInPlainWhile, [3])).to.equal(2);
    // A condition that becomes a tensor that stays true runs until maximumIterations stops it.
    const error = await rejection(toGraph(illegal.whileWithVariablePlainType, { maximumIterations: 5 })());
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('ran 5 iterations');
  });

  it('a loop variable whose dtype changes is an error, with or without an early stop', async () => {
    await rejects(illegal.whileWithVariableDtype, [], "'n' is int32");
    await rejects(illegal.whileWithVariableDtypeAndEarlyStopping, [], "'n' is int32");
    const l = tf.tensor1d([1, 2, 3], 'int32');
    await rejects(illegal.forWithVariableDtype, [l], "'n' is int32");
    l.dispose();
  });
});
