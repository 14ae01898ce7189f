// JavaScript's meaning kept by converted code: evaluation order, holders, printing, lists, BigInt, async callees, restarts.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ConversionError, StagingError, toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/javascript_semantics.js';
import { captureLog } from '../helpers/console.js';
import { describeWithBackends, expectNoLeaks, rejection, valueOf } from '../helpers/backends.js';

type Fn = (...args: unknown[]) => unknown;

/** The values of a result, disposing what it made and leaving `inputs` alive. */
async function values(result: unknown, inputs: unknown[] = []): Promise<unknown> {
  if (Array.isArray(result)) return Promise.all(result.map((item) => values(item, inputs)));
  return valueOf(result, inputs);
}

describeWithBackends('JavaScript semantics in converted code', () => {
  it('a compound update reads the old value before the right-hand side runs', async () => {
    expect(await toGraph(fx.compoundReadsFirst as Fn)([1])).to.deep.equal(fx.compoundReadsFirst([1]));
  });

  it('element writes into arrays from the scope work, without rebinding the name', async () => {
    const outside = [0, 0];
    const g = toGraph(fx.writesOutsideArray as Fn, { scope: { outside } });
    expect(await g(7)).to.equal(7);
    expect(outside).to.deep.equal([7, 0]);
  });

  it('an element update through a getter-only or frozen holder changes the array in place', async () => {
    const items = [1, 2];
    const o = {
      get items() {
        return items;
      },
    };
    expect(await toGraph(fx.getterHolder as Fn)(o)).to.deep.equal([2, 5]);
    const cfg = Object.freeze({ arr: [0, 0] });
    expect(await toGraph(fx.frozenHolder as Fn)(cfg)).to.deep.equal([5, 0]);
  });

  it('text after a tensor in console arguments, and cyclic structures, print as JavaScript does', async () => {
    const t = tf.scalar(3, 'int32');
    const { lines } = await captureLog(() => toGraph(fx.printsTextAfterTensor as Fn)(t));
    expect(lines).to.deep.equal([['x31', '1y3']]);
    const cycle = await captureLog(() => expectNoLeaks(() => toGraph(fx.printsCycle as Fn)(t)));
    expect(cycle.lines).to.deep.equal([[3]]);
    t.dispose();
  });

  it('reading methods on a list inside a staged loop are fine', async () => {
    const n = tf.scalar(3, 'int32');
    expect(await expectNoLeaks(async () => valueOf(await toGraph(fx.readsListInLoop as Fn)(n), [n]))).to.equal(3);
    n.dispose();
  });

  it('x++ and o.n++ used as values keep BigInts', async () => {
    expect(await toGraph(fx.bigintPostfix as Fn)(5n)).to.deep.equal(fx.bigintPostfix(5n));
  });

  it('an async function called from a callback returns its promise, as unconverted', async () => {
    const addOneLater = async (x: number) => x + 1;
    const out = (await toGraph(fx.asyncInCallback as Fn, { scope: { addOneLater } })([1, 2])) as Promise<number>[];
    expect(await Promise.all(out)).to.deep.equal([2, 3]);
  });

  it('a run that restarts staged repeats no effect on the caller’s objects', async () => {
    const p: number[] = [];
    expect(await values(await toGraph(fx.aliasThenStage as Fn)(p, tf.scalar(1)))).to.equal(1);
    expect(p).to.deep.equal([1]);
    const o = { it: [1, 2].values() };
    expect(await values(await toGraph(fx.iteratorThenStage as Fn)(o, 1))).to.equal(103);
  });

  it('a buffered print shows the values as they were when printed', async () => {
    const { lines } = await captureLog(() => toGraph(fx.printsThenMutates as Fn)(2));
    expect(lines).to.deep.equal([['a is', [1]]]);
  });

  it('logical assignment works on tensors with JavaScript’s meaning', async () => {
    for (const x of [0, 2]) {
      const t = tf.scalar(x, 'int32');
      const got = await expectNoLeaks(async () => values(await toGraph(fx.logicalAssignment as Fn)(t), [t]));
      expect(got, `x = ${x}`).to.deep.equal(fx.logicalAssignment(x));
      t.dispose();
    }
  });

  it('optional element access on a tensor reads the element', async () => {
    const t = tf.tensor1d([4, 5], 'int32');
    expect(await expectNoLeaks(async () => values(await toGraph(fx.optionalTensor as Fn)(t)))).to.deep.equal([4, 2]);
    expect(await toGraph(fx.optionalTensor as Fn)(undefined)).to.deep.equal([undefined, undefined]);
    t.dispose();
  });

  it('a staged loop keeps tensors stored through aliases, helpers, maps and nested instances', async () => {
    class Inner {
      w: unknown = tf.scalar(0);
    }
    const holder = { inner: new Inner() };
    const out: unknown[] = [];
    const pushTo = (list: unknown[], value: unknown) => list.push(value);
    const n = tf.scalar(3, 'int32');
    const g = toGraph(fx.storesThroughAliases as Fn, { scope: { pushTo } });
    const [row, seen, pushed, w] = (await g(n, out, holder)) as [tf.Tensor[], tf.Tensor[], tf.Tensor[], tf.Tensor];
    expect(await values(row)).to.deep.equal([0, 2, 4]);
    expect(await values(seen)).to.deep.equal([0, 4, 8]);
    expect(await values(pushed)).to.deep.equal([0, 3, 6]);
    expect(await values(w)).to.equal(3);
    n.dispose();
  });

  it('tensors inside class instances in a result are the caller’s', async () => {
    class Point {
      constructor(readonly value: unknown) {}
    }
    const t = tf.scalar(2);
    const result = (await toGraph(fx.returnsInstances as Fn, { scope: { Point } })(t)) as { points: Point[] };
    const value = result.points[0]!.value as tf.Tensor;
    expect(value.isDisposed).to.equal(false);
    expect(await values(value)).to.equal(4);
    t.dispose();
  });

  it('optional calls convert the functions they call', async () => {
    const o = { step: fx.sign };
    const t = tf.scalar(3);
    const got = await expectNoLeaks(async () =>
      values(await toGraph(fx.optionalCalls as Fn, { scope: { sign: fx.sign } })(o, t), [t]),
    );
    expect(got).to.deep.equal([1, 1, 1, undefined]);
    expect(await toGraph(fx.optionalCalls as Fn, { scope: { sign: fx.sign } })(o, -2)).to.deep.equal(
      fx.optionalCalls(o, -2),
    );
    t.dispose();
  });

  it('a Math function passed to other code works on tensors', async () => {
    const xs = [tf.scalar(-2), tf.scalar(3)];
    const out = (await toGraph(fx.mapsMathAbs as Fn)(xs)) as tf.Tensor[];
    expect(await values(out)).to.deep.equal([2, 3]);
    expect(await toGraph(fx.mapsMathAbs as Fn)([-1, 1])).to.deep.equal([1, 1]);
    tf.dispose(xs);
  });

  it('default parameters run in the body: calls, earlier parameters, patterns, rest, and staged conditions', async () => {
    const converted = toGraph(fx.defaults as Fn, { scope: { double: fx.double } });
    expect(await converted(2)).to.deep.equal(fx.defaults(2));
    expect(await converted(2, 5, { z: 1 }, 7)).to.deep.equal(fx.defaults(2, 5, { z: 1 }, 7));
    expect(await toGraph(fx.conditionalDefault as Fn)(0)).to.equal(2);
    for (const [input, expected] of [
      [0, 2],
      [3, 1],
    ] as const) {
      const t = tf.scalar(input);
      expect(await expectNoLeaks(async () => values(await toGraph(fx.conditionalDefault as Fn)(t), [t]))).to.equal(
        expected,
      );
      t.dispose();
    }
  });

  it('a loop with two labels, and an update that must not run after a break', async () => {
    expect(await toGraph(fx.twoLabels as Fn)(6)).to.equal(fx.twoLabels(6));
    expect(await toGraph(fx.updateAfterBreak as Fn)(10n)).to.equal(fx.updateAfterBreak(10n));
  });

  it('a catch block in the plain clone does not catch the switch to staged code', async () => {
    expect(await toGraph(fx.catchesAroundCondition as Fn)(3)).to.equal(1);
    const t = tf.scalar(3);
    expect(await expectNoLeaks(async () => values(await toGraph(fx.catchesAroundCondition as Fn)(t), [t]))).to.equal(1);
    t.dispose();
  });

  it('two functions of the same source with different scope options keep their own callees', async () => {
    // The callee's free name `z` comes from the caller's scope option, which differs between the two.
    const make = () => new Function('return function callsHelper(x) { return helper(x); }')() as Fn;
    const addZ = new Function('return function addZ(v) { return v + z; }')() as Fn;
    const first = toGraph(make(), { scope: { helper: addZ, z: 1 } });
    const second = toGraph(make(), { scope: { helper: addZ, z: 2 } });
    expect(await first(0)).to.equal(1);
    expect(await second(0)).to.equal(2);
  });

  it('a for update does not run after a break on a const counter or a counter the body reassigned', async () => {
    expect(await toGraph(fx.constCounter as Fn)(1)).to.equal(fx.constCounter(1));
    expect(await toGraph(fx.reassignedCounter as Fn)(1, [])).to.equal(fx.reassignedCounter(1, []));
  });

  it('a default that must run in the body but reads a name the body declares is a ConversionError', async () => {
    let error: unknown;
    try {
      toGraph(fx.defaultReadsBodyName as Fn, { scope: { outer: 'outer' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConversionError);
    expect((error as Error).message)
      .to.contain("it uses 'outer', which the body declares too")
      .and.contain('rename');
  });

  it("a default value sees the outer name, not the body's var of the same name", async () => {
    const converted = toGraph(fx.defaultSeesOuterName as Fn, { scope: { outer: 7 } });
    expect(await converted()).to.equal(8);
    expect(await converted(2)).to.equal(3);
  });

  it('f.call, f.apply and f.bind convert f as a direct call does, with the receiver they give', async () => {
    const scope = { doubledIfPositive: fx.doubledIfPositive };
    const converted = toGraph(fx.callApplyBind as Fn, { scope });
    expect(await converted(3)).to.deep.equal(fx.callApplyBind(3));
    const x = tf.scalar(3);
    expect(await expectNoLeaks(async () => values(await converted(x), [x]))).to.deep.equal([6, 6, 6, 6]);
    x.dispose();
    const o = {
      factor: 10,
      scale(this: { factor: number }, v: unknown) {
        return (v as number) > 0 ? (v as number) * this.factor : 0;
      },
    };
    expect(await toGraph(fx.methodCall as Fn)(o, 2)).to.equal(fx.methodCall(o, 2));
  });

  it('String(t) gives the tensor’s value as String gives a number’s; in a callback a tensor is an error', async () => {
    const converted = toGraph(fx.described as Fn);
    expect(await converted(2)).to.equal(fx.described(2));
    for (const [input, text] of [
      [tf.scalar(2), 'loss 2'],
      [tf.tensor([1.5, 2]), 'loss 1.5,2'],
      [tf.scalar(true, 'bool'), 'loss true'],
    ] as const) {
      expect(await expectNoLeaks(async () => converted(input))).to.equal(text);
      input.dispose();
    }
    expect(await toGraph(fx.describedInCallback as Fn)([1, 2])).to.deep.equal(['1', '2']);
    const t = tf.scalar(1);
    const error = await rejection(toGraph(fx.describedInCallback as Fn)([t]));
    expect(error.message).to.contain('String(...) inside a callback gets a tensor');
    t.dispose();
  });

  it('a destructuring assignment writes tensor elements as element assignments do (bubble sort)', async () => {
    const input = [3, -1, 2.5, 0];
    const converted = toGraph(fx.bubbleSort as Fn);
    expect(await converted(input.slice())).to.deep.equal(fx.bubbleSort(input.slice()));
    const t = tf.tensor(input);
    const sorted = await expectNoLeaks(async () => values(await converted(t), [t]));
    expect(sorted).to.deep.equal([-1, 0, 2.5, 3]);
    t.dispose();
  });

  it('indexOf, lastIndexOf and includes compare scalar tensors by value, as === compares numbers', async () => {
    const input = [3, -1, 10, 2, 10];
    const converted = toGraph(fx.positionOfMax as Fn);
    expect(await converted(input)).to.deep.equal(fx.positionOfMax(input));
    const xs = input.map((x) => tf.scalar(x));
    expect(await expectNoLeaks(async () => converted(xs))).to.deep.equal(fx.positionOfMax(input));
    // int32 and float32 scalars with equal values are equal, as the numbers are.
    const mixed = [tf.scalar(1.5), tf.scalar(2, 'int32'), tf.scalar(2)];
    expect(await toGraph(fx.positionOfMax as Fn)(mixed)).to.deep.equal(fx.positionOfMax([1.5, 2, 2]));
    tf.dispose([...xs, ...mixed]);
    // Tensors of other ranks have no single value: they compare by identity, as === compares arrays.
    const [w1, w2, three] = [tf.tensor([1, 2]), tf.tensor([1, 2]), tf.scalar(3)];
    expect(await expectNoLeaks(async () => toGraph(fx.findsTensor as Fn)([w1, w2, three], w2))).to.deep.equal([
      1,
      true,
      2,
      0,
    ]);
    tf.dispose([w1, w2, three]);
  });

  it('indexOf inside a callback compares plain values, and a tensor is an error', async () => {
    const converted = toGraph(fx.searchesInCallback as Fn);
    expect(await converted([[1, 2], [2]], 2)).to.deep.equal([1, 0]);
    const t = tf.scalar(2);
    const error = await rejection(converted([[1, 2]], t));
    expect(error.message).to.contain('Array indexOf inside a callback meets tensors');
    t.dispose();
  });

  it('sort orders by what a comparator’s tensors hold, and scalar tensors by their text by default', async () => {
    const input = [3, -1, 10, 2.5, 10, 0];
    const converted = toGraph(fx.sortsBy as Fn);
    expect(await converted(input)).to.deep.equal(fx.sortsBy(input));
    const xs = input.map((x) => tf.scalar(x));
    const result = (await expectNoLeaks(async () => converted(xs))) as [tf.Tensor[], tf.Tensor[], number[]];
    const [ascending, byText, order] = fx.sortsBy(input) as [number[], number[], number[]];
    expect(await Promise.all(result[0].map((t) => t.data().then((d) => d[0])))).to.deep.equal(ascending);
    expect(await Promise.all(result[1].map((t) => t.data().then((d) => d[0])))).to.deep.equal(byText);
    expect(result[2]).to.deep.equal(order);
    tf.dispose(xs);
    // A comparator's result that is not a scalar has no single order.
    const vectors = [tf.tensor([1, 2]), tf.tensor([3, 4])];
    const error = await rejection(converted(vectors));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('Array sort meets a tensor of shape [2]');
    tf.dispose(vectors);
  });

  it('tensors a local closure stores into an outer list survive the staged loop that calls it', async () => {
    const converted = toGraph(fx.recordsThroughClosure as Fn);
    expect(await converted(2, 3)).to.deep.equal(fx.recordsThroughClosure(2, 3));
    const [x, n] = [tf.scalar(2, 'int32'), tf.scalar(3, 'int32')];
    const history = await expectNoLeaks(async () => values(await converted(x, n)));
    expect(history).to.deep.equal([0, 2, 4]);
    tf.dispose([x, n]);
  });

  it('tensors made by default parameters are freed with the call', async () => {
    const converted = toGraph(fx.scaledBy as Fn);
    const x = tf.scalar(3);
    for (let call = 0; call < 3; call++) {
      expect(await expectNoLeaks(async () => values(await converted(x), [x]))).to.equal(7);
    }
    x.dispose();
  });

  it('a local function the code assigns over is called as assigned', async () => {
    expect(await toGraph(fx.reassignedLocal as Fn)(2)).to.equal(fx.reassignedLocal(2));
    const a = tf.scalar(2);
    expect(await expectNoLeaks(async () => values(await toGraph(fx.reassignedLocal as Fn)(a), [a]))).to.equal(20);
    a.dispose();
  });

  it("a user's catch gets the user's errors, not a StagingError, which would hide a construct that cannot stage", async () => {
    const converted = toGraph(fx.catchesEverything as Fn);
    for (const v of [1, -1, 9]) {
      expect(await converted(v), `v = ${v}`).to.equal(fx.catchesEverything(v));
      const t = tf.scalar(v);
      expect(await expectNoLeaks(async () => values(await converted(t), [t])), `v = tensor ${v}`).to.equal(
        fx.catchesEverything(v),
      );
      t.dispose();
    }
    const vector = tf.tensor([1, 2]);
    const error = await rejection(expectNoLeaks(() => converted(vector)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('must be a scalar');
    vector.dispose();
  });

  it('local functions with computing defaults, in a for head, or naming themselves run as written', async () => {
    for (const x of [3, -2]) {
      expect(await toGraph(fx.localFunctionEdges as Fn)(x), `x = ${x}`).to.deep.equal(fx.localFunctionEdges(x));
    }
  });

  it('a const arrow declared and called inside a switch case leaves the switch staged', async () => {
    const converted = toGraph(fx.arrowInCase as Fn);
    for (const k of [0, 1, 2]) {
      expect(await converted(k)).to.equal(fx.arrowInCase(k));
      const t = tf.scalar(k, 'int32');
      expect(await expectNoLeaks(async () => values(await converted(t), [t])), `k = tensor ${k}`).to.equal(
        fx.arrowInCase(k),
      );
      t.dispose();
    }
  });

  it('sorting a sparse array, a break cancelled by a throwing finally, an optional chain in a default', async () => {
    expect(await toGraph(fx.sortsSparse as Fn)()).to.deep.equal(fx.sortsSparse());
    expect(await toGraph(fx.keyThenIndex as Fn)()).to.deep.equal(fx.keyThenIndex());
    for (const x of [0, 1]) expect(await toGraph(fx.cancelledBreak as Fn)(x)).to.equal(fx.cancelledBreak(x));
    const o = { make: () => ({ g: (v: number) => v + 1 }) };
    expect(await toGraph(fx.chainInDefault as Fn)(o)).to.deep.equal(fx.chainInDefault(o));
  });

  it('JSON.stringify gives tensors as the numbers and arrays they hold; in a callback a tensor is an error', async () => {
    const converted = toGraph(fx.stringified as Fn);
    const plain: [number, number[][]] = [
      1.5,
      [
        [1, 2],
        [3, 4],
      ],
    ];
    expect(await converted(...plain)).to.deep.equal(fx.stringified(...plain));
    const loss = tf.scalar(1.5);
    const xs = tf.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(await expectNoLeaks(async () => converted(loss, xs))).to.deep.equal(fx.stringified(...plain));
    // An object argument runs the plain clone first, which meets the tensor and hands the run over.
    expect(await toGraph(fx.stringifiedArgument as Fn)({ loss })).to.equal('{"loss":1.5}');
    const inCallback = toGraph(fx.stringifiedInCallback as Fn);
    expect(await inCallback([1, 2])).to.deep.equal(fx.stringifiedInCallback([1, 2]));
    const error = await rejection(inCallback([loss]));
    expect(error.message).to.contain('JSON.stringify inside a callback meets a tensor');
    tf.dispose([loss, xs]);
  });
});
