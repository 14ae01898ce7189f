// Staged control flow: conditions, dtypes carried out of staged constructs, and memory across iterations.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { doNotConvert, StagingError, toGraph } from '../../lib/index.js';
import { sumOf } from '../converters/fixtures/for_of/sum_of/input.js';
import { sumRange } from '../converters/fixtures/for_of/sum_range/input.js';
import * as fixtures from '../fixtures/staging.js';
import * as exits from '../fixtures/loop_exits.js';
import * as early from '../fixtures/early_returns.js';
import { describeWithBackends, expectNoLeaks, valueOf, rejection } from '../helpers/backends.js';

describeWithBackends('staged control flow', () => {
  it('numbers carried out of a staged loop become tensors of the dtype they met', async () => {
    const n = tf.scalar(4, 'int32');
    const result = (await toGraph(fixtures.accumulate)(n)) as unknown as tf.Tensor;
    expect(result.dtype).to.equal('float32');
    expect(await valueOf(result)).to.equal(0 + 0.5 + 1 + 1.5);
    n.dispose();
    expect(await toGraph(fixtures.accumulate)(4)).to.equal(3);
  });

  it('memory does not grow with the trip count of a staged loop', async () => {
    const counts: number[] = [];
    const record = doNotConvert((count: number) => counts.push(count));
    const g = toGraph(fixtures.countDown, { scope: { record } });
    const n = tf.scalar(30, 'int32');
    const steps = await expectNoLeaks(async () => valueOf(await g(n)));
    expect(steps).to.equal(30);
    expect(counts).to.have.length(30);
    // Each iteration holds its own temporaries; the next iteration starts from the same count.
    expect(new Set(counts.slice(1)).size, `counts ${counts.join(',')}`).to.equal(1);
    n.dispose();
  });

  it('tensors a staged loop stores into objects made before it stay alive, and nothing else leaks', async () => {
    const n = tf.scalar(4, 'int32');
    const [squares, last] = await expectNoLeaks(async () => {
      const [list, value] = (await toGraph(fixtures.storesInLoop)(n)) as unknown as [tf.Tensor[], tf.Tensor];
      const read = [await Promise.all(list.map((t) => valueOf(t))), await valueOf(value)];
      return read;
    });
    expect(squares).to.deep.equal([0, 1, 4, 9]);
    expect(last).to.equal(3);
    n.dispose();
  });

  it('a dtype that changes across iterations is an error naming the variable and both dtypes', async () => {
    const n = tf.scalar(2, 'int32');
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.changesDtype)(n)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("'x' is int32").and.contain('float32');
    expect(error.message).to.contain('In changesDtype, line 3:').and.contain('while (n > 0)');
    n.dispose();
  });

  it('the error names a per-iteration loop variable as the user wrote it', async () => {
    const n = tf.scalar(2, 'int32');
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.capturedCounterChangesDtype)(n)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("'i' is int32").and.not.contain('i_1');
    n.dispose();
  });

  it("a staged if's output is checked against the variable's dtype before it", async () => {
    const c = tf.scalar(1);
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.branchChangesDtype)(c)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("'x' is int32 before an if statement").and.contain('float32 after it');
    c.dispose();
  });

  it('a non-scalar condition is an error that suggests tf.any or tf.all', async () => {
    const v = tf.tensor1d([1, -1]);
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.vectorCondition)(v)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('shape [2]').and.contain('tf.any').and.contain('tf.all');
    // It points at the user's line: the if is on line 3 of vectorCondition.
    expect((error as StagingError).line).to.equal(3);
    expect(error.message).to.contain('In vectorCondition, line 3:').and.contain('> 3 |   if (v > 0) {');
    v.dispose();
  });

  it('an exception from the middle of a staged loop frees every intermediate', async () => {
    const fail = () => {
      throw new RangeError('stopped in the middle of the loop');
    };
    const n = tf.scalar(10, 'int32');
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.throwsMidLoop, { scope: { fail } })(n)));
    expect(error).to.be.instanceOf(RangeError);
    n.dispose();
  });

  it('kept tensors and variables outlive the call', async () => {
    const variable = tf.variable(tf.scalar(0));
    const n = tf.scalar(3, 'int32');
    const before = tf.memory().numTensors;
    const [kept, i] = (await toGraph(fixtures.keepsAndVariables)(n, variable)) as unknown as tf.Tensor[];
    expect(await valueOf(kept)).to.equal(42);
    expect(await valueOf(i)).to.equal(3);
    expect((await variable.data())[0]).to.equal(3);
    expect(tf.memory().numTensors).to.equal(before);
    variable.dispose();
    n.dispose();
  });

  it("a scalar condition has JavaScript's truthiness: non-zero and not NaN", async () => {
    // Op by op: in graph mode the variable a staged if assigns becomes a bool tensor (docs/graph-mode.md).
    const g = toGraph(fixtures.truthiness, { mode: 'eager' });
    const cases: [tf.Tensor, boolean][] = [
      [tf.scalar(true, 'bool'), true],
      [tf.scalar(false, 'bool'), false],
      [tf.scalar(-2, 'int32'), true],
      [tf.scalar(0, 'int32'), false],
      [tf.scalar(0.25), true],
      [tf.scalar(0), false],
      [tf.scalar(NaN), false],
    ];
    for (const [condition, expected] of cases) {
      // The branch taken sets a JavaScript boolean, which stays one.
      const result = await g(condition);
      expect(typeof result).to.equal('boolean');
      expect(result, `condition ${condition.dtype} ${String((await condition.data())[0])}`).to.equal(expected);
      const traced = await toGraph(fixtures.truthiness)(condition);
      expect(traced).to.be.instanceOf(tf.Tensor);
      expect(await valueOf(traced)).to.equal(expected);
      tf.dispose([condition, traced as unknown as tf.Tensor]);
    }
  });

  it('a variable assigned in only one branch of a staged if is undefined on the other, as in JavaScript', async () => {
    for (const value of [1, -1]) {
      const c = tf.scalar(value);
      expect(await valueOf(await toGraph(fixtures.oneBranchOnly)(c)), `c = ${value}`).to.equal(
        fixtures.oneBranchOnly(value),
      );
      expect(await toGraph(fixtures.oneBranchOnly)(value)).to.equal(fixtures.oneBranchOnly(value));
      c.dispose();
    }
  });

  it('a return value given in only one branch of a staged if is undefined on the other, as in JavaScript', async () => {
    for (const value of [1, -1]) {
      const c = tf.scalar(value);
      expect(await valueOf(await toGraph(fixtures.returnsInOneBranch)(c)), `c = ${value}`).to.equal(
        fixtures.returnsInOneBranch(value),
      );
      c.dispose();
    }
  });

  it('a variable first assigned in a staged loop and read after it must be defined before the loop', async () => {
    const n = tf.scalar(3, 'int32');
    const error = await rejection(expectNoLeaks(() => toGraph(fixtures.definedInLoop)(n)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("'last' must be defined before the loop");
    expect(await toGraph(fixtures.definedInLoop)(3)).to.equal(4);
    n.dispose();
  });

  it('a variable left undefined and never read afterwards is fine', async () => {
    const c = tf.scalar(1);
    expect(await valueOf(await toGraph(fixtures.undefinedButUnused)(c))).to.equal(6);
    c.dispose();
  });

  it('for-of over a tensor runs along axis 0, staged, and frees each slice', async () => {
    const xs = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const sum = await expectNoLeaks(async () => {
      const result = (await toGraph(sumOf)(xs)) as unknown as tf.Tensor;
      expect(result.shape).to.deep.equal([2]);
      return valueOf(result);
    });
    expect(sum).to.deep.equal([9, 12]);
    const total = (await toGraph(sumRange)(2)) as unknown as tf.Tensor;
    expect(total.dtype).to.equal('int32');
    expect(await valueOf(total)).to.equal(12);
    const scalar = tf.scalar(3);
    const error = await rejection(expectNoLeaks(() => toGraph(sumOf)(scalar)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('rank 1 or more');
    tf.dispose([xs, scalar]);
  });

  it("an error thrown from a staged branch reaches the user's own catch, and finally runs", async () => {
    const g = toGraph(fixtures.catchesStagedThrow);
    for (const [input, expected] of [
      [1, 12],
      [-1, 11],
    ] as const) {
      expect(await g(input)).to.equal(fixtures.catchesStagedThrow(input));
      const x = tf.scalar(input);
      expect(await expectNoLeaks(async () => valueOf(await g(x)))).to.equal(expected);
      x.dispose();
    }
  });

  it('a switch whose cases declare let or const stages on a tensor discriminant', async () => {
    const g = toGraph(fixtures.switchWithDeclarations);
    for (const value of [1, 3]) {
      expect(await g(value)).to.equal(fixtures.switchWithDeclarations(value));
      const x = tf.scalar(value, 'int32');
      expect(await valueOf(await g(x)), `x = ${value}`).to.equal(fixtures.switchWithDeclarations(value));
      x.dispose();
    }
  });

  it('a switch that stays native (a case declares a function) rejects a tensor discriminant clearly', async () => {
    const g = toGraph(fixtures.switchDeclaringFunction);
    expect(await g(1)).to.equal(2);
    expect(await g(3)).to.equal(-1);
    const x = tf.scalar(1, 'int32');
    const error = await rejection(expectNoLeaks(() => g(x)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain("Wrap each case's statements in braces");
    x.dispose();
  });

  it('a while condition that starts plain and becomes a tensor goes on staged', async () => {
    const value = await expectNoLeaks(async () => {
      const result = (await toGraph(fixtures.becomesTensor)(3)) as unknown as tf.Tensor;
      expect(result.dtype).to.equal('int32');
      return valueOf(result);
    });
    expect(value).to.equal(3);
  });
});

/** The JavaScript values of a result: tensors read and disposed (except `inputs`), arrays walked. */
const values = async (result: unknown, inputs: unknown[] = []): Promise<unknown> =>
  Array.isArray(result) ? Promise.all(result.map((item) => values(item, inputs))) : valueOf(result, inputs);
const scalar = (value: number) => tf.scalar(value, Number.isInteger(value) ? 'int32' : 'float32');

/** Runs `fn` converted on `tensorArgs` and checks it against the original on `plainArgs`, with no leaks. */
async function agrees(
  fn: (...args: never[]) => unknown,
  plainArgs: unknown[],
  tensorArgs: unknown[],
  options: { mode?: 'graph' | 'eager' } = {},
) {
  const g = toGraph(fn as (...a: unknown[]) => unknown, options);
  const expected = (fn as (...a: unknown[]) => unknown)(...plainArgs);
  expect(await g(...plainArgs), `${fn.name} on plain values`).to.deep.equal(expected);
  const actual = await expectNoLeaks(async () => {
    const result = await g(...tensorArgs);
    // A result may be an argument itself (`return x`): it stays the caller's.
    return { raw: result, value: await values(result, tensorArgs) };
  });
  expect(actual.value, `${fn.name} on tensors`).to.deep.equal(expected);
  tf.dispose(tensorArgs.filter((t): t is tf.Tensor => t instanceof tf.Tensor));
  return actual.raw;
}

describeWithBackends('loops whose continuation comes to depend on a tensor', () => {
  it('a counted loop stopped by a tensor break keeps its counter a JavaScript number op by op', async () => {
    const eager = { mode: 'eager' } as const;
    const [step] = (await agrees(exits.trainUntil, [10, 0.01], [scalar(10), scalar(0.01)], eager)) as unknown[];
    expect(typeof step).to.equal('number');
    // In graph mode a variable that a staged if assigns (here, through the break) leaves it as a tensor.
    const [traced] = (await agrees(exits.trainUntil, [10, 0.01], [scalar(10), scalar(0.01)])) as unknown[];
    expect(traced).to.be.instanceOf(tf.Tensor);
    tf.dispose(traced as tf.Tensor);
  });

  it('while (true) and for (;;) stopped by a tensor break', async () => {
    for (const x of [1, 3, 200]) {
      const [n] = (await agrees(exits.doublesWhileTrue, [x], [scalar(x)])) as unknown[];
      expect(typeof n).to.equal('number');
      await agrees(exits.stepsForever, [x], [scalar(x)]);
    }
  });

  it('a do-while stopped by a tensor break', async () => {
    for (const x of [3, 20]) await agrees(exits.doWhileStops, [x], [scalar(x)]);
  });

  it('binary search returns from inside while (lo <= hi) on a tensor comparison', async () => {
    const xs = [1, 3, 4, 8, 9, 12];
    for (const target of [1, 8, 12, 5]) {
      await agrees(exits.binarySearch, [xs, target], [tf.tensor1d(xs, 'int32'), scalar(target)]);
    }
  });

  it('greedy decoding stops at the end token', async () => {
    const scores = [
      [0.1, 0.7, 0.2],
      [0.5, 0.1, 0.4],
      [0.2, 0.3, 0.9],
      [0.9, 0.05, 0.05],
    ];
    for (const end of [2, 1]) {
      await agrees(exits.greedyDecode, [scores, end], [tf.tensor2d(scores), end]);
    }
  });

  it('early stopping with patience', async () => {
    // Exact in float32.
    const losses = [1, 0.5, 0.75, 0.25, 0.375, 0.5, 0.625, 0.125];
    for (const patience of [1, 2, 3]) {
      for (const mode of ['eager', 'graph'] as const) {
        const [epoch] = (await agrees(exits.earlyStopping, [losses, patience], [tf.tensor1d(losses), patience], {
          mode,
        })) as unknown[];
        // Op by op the epoch stays a number; in graph mode the staged if that breaks makes it a tensor.
        if (mode === 'eager') expect(typeof epoch).to.equal('number');
        else tf.dispose(epoch as tf.Tensor);
      }
    }
  });
});

describeWithBackends('early returns inside staged conditionals', () => {
  it("isPrime: 'if (n < 2) return false', then a loop that may return", async () => {
    for (const n of [1, 2, 9, 13]) await agrees(early.isPrime, [n], [scalar(n)]);
  });

  it('a return inside a loop inside a staged if', async () => {
    for (const x of [-1, 1, 2, 5]) await agrees(early.returnInLoopInIf, [x], [scalar(x)]);
  });

  it('a return or a break inside try/finally under a staged if', async () => {
    for (const x of [-1, 1]) await agrees(early.returnInTryFinally, [x], [scalar(x)]);
    for (const x of [0, 2, 5]) await agrees(early.breakInTryFinally, [x], [scalar(x)]);
  });

  it('a switch on a tensor whose cases all return, and switch (true) with tensor cases', async () => {
    for (const k of [0, 1]) await agrees(early.switchReturns, [k, 4], [scalar(k), scalar(4)]);
    for (const x of [-3, 4, 20]) await agrees(early.switchTrue, [x], [scalar(x)]);
  });
});
