// Calls from converted code: user functions are converted on their first call, recursion works, tf and
// native functions run as they are, and callbacks stay synchronous.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { autograph, ConversionError, doNotConvert, StagingError, toCode, toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/calls.js';
import { describeWithBackends, expectNoLeaks, valueOf, rejection } from '../helpers/backends.js';

type Fn = (...args: unknown[]) => unknown;

/** Runs `fn` with console.warn collected. */
async function warnings<T>(fn: () => Promise<T>): Promise<{ result: T; warned: string[] }> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    return { result: await fn(), warned };
  } finally {
    console.warn = original;
  }
}

describeWithBackends('calls to user functions', (backend) => {
  it("a called function's control flow is staged too, inside and outside staged loops", async () => {
    const clamped = toGraph(fx.clampedSquare as Fn, { scope: { square: fx.square } });
    for (const [x, expected] of [
      [5, 9],
      [2, 4],
    ] as const) {
      const t = tf.scalar(x, 'int32');
      expect(await expectNoLeaks(async () => valueOf(await clamped(t), [t]))).to.equal(expected);
      expect(await clamped(x)).to.equal(fx.clampedSquare(x));
      t.dispose();
    }
    const sum = toGraph(fx.sumOfSquares as Fn, { scope: { square: fx.square } });
    const n = tf.scalar(4, 'int32');
    expect(await expectNoLeaks(async () => valueOf(await sum(n), [n]))).to.equal(0 + 1 + 4 + 9);
    n.dispose();
  });

  it('recursion works: a function calls itself by name', async () => {
    const fib = toGraph(fx.fib as Fn);
    expect(await fib(10)).to.equal(55);
    const n = tf.scalar(6, 'int32');
    expect(await expectNoLeaks(async () => valueOf(await fib(n), [n]))).to.equal(8);
    n.dispose();
  });

  it('methods keep this, also when they call each other', async () => {
    const uses = toGraph(fx.usesMethod as Fn);
    expect(await uses(2, fx.counter)).to.equal(12);
    const t = tf.scalar(2, 'int32');
    expect(await expectNoLeaks(async () => valueOf(await uses(t, fx.counter), [t]))).to.equal(12);
    t.dispose();
  });

  it('async functions called from converted code keep returning promises, and are awaited', async () => {
    const g = toGraph(fx.awaitsHelper as Fn, { scope: { asyncHelper: fx.asyncHelper } });
    expect(await g(1)).to.equal(4);
    const t = tf.scalar(1, 'int32');
    expect(await expectNoLeaks(async () => valueOf(await g(t), [t]))).to.equal(4);
    t.dispose();
  });

  it('doNotConvert keeps a function as it is: here a tensor is an always-truthy object', async () => {
    const t = tf.scalar(0, 'int32');
    const converted = toGraph(fx.callsRaw as Fn, { scope: { raw: fx.raw } });
    expect(await converted(t)).to.equal('not positive');
    const truthy = (x: unknown) => (x ? 'truthy' : 'falsy');
    const native = toGraph(fx.callsRaw as Fn, { scope: { raw: doNotConvert(truthy) } });
    expect(await native(t)).to.equal('truthy');
    // The same through the named namespace, as code outside converted functions writes it.
    const viaNamespace = (x: unknown) => (x ? 'truthy' : 'falsy');
    expect(autograph.doNotConvert).to.equal(doNotConvert);
    const marked = toGraph(fx.callsRaw as Fn, { scope: { raw: autograph.doNotConvert(viaNamespace) } });
    expect(await marked(t)).to.equal('truthy');
    t.dispose();
  });

  it('a callee that cannot be converted runs as it is, with one warning; strict makes it an error', async () => {
    const counter = { calls: 0 };
    // Warnings come once per function source, so each backend's run gets a source of its own.
    const helperWithClosure = new Function(
      'outside',
      'counter',
      `return function helperWithClosure(x) { counter.calls++; return x + outside; /* ${backend} */ };`,
    )(10, counter) as (x: number) => number;
    const g = toGraph(fx.usesUnknownHelper as Fn, { scope: { helperWithClosure } });
    const { result, warned } = await warnings(async () => [await g(1), await g(2)]);
    expect(result).to.deep.equal([22, 24]);
    expect(counter.calls).to.equal(4);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.contain('helperWithClosure, called from usesUnknownHelper, runs as it is');
    expect(warned[0]).to.contain("'outside'").and.contain('doNotConvert').and.contain('strict');
    const strict = toGraph(fx.usesUnknownHelper as Fn, { scope: { helperWithClosure }, strict: true });
    const error = await rejection(strict(1));
    expect(error).to.be.instanceOf(ConversionError);
    expect(error.message).to.contain("'outside'");
  });

  it('tf functions and tensor methods run as they are, with no warning', async () => {
    const g = toGraph(fx.tensorMethods as Fn);
    const [a, b] = [tf.tensor1d([1, 2]), tf.tensor1d([3, 4])];
    const { result, warned } = await warnings(async () => valueOf(await g(a, b)));
    expect(result).to.equal(20);
    expect(warned).to.deep.equal([]);
    tf.dispose([a, b]);
  });

  it('the functions tf.grad and tf.valueAndGrads return, and generators, run as they are, with no warning', async () => {
    function* upTo(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    const g = toGraph(fx.gradientsAndGenerator as Fn, { scope: { upTo } });
    const x = tf.scalar(3);
    const { result, warned } = await warnings(async () => {
      const out = (await g(x)) as unknown[];
      return Promise.all(out.map((item) => valueOf(item)));
    });
    expect(result).to.deep.equal([6, 9, 6, 3]);
    expect(warned).to.deep.equal([]);
    x.dispose();
  });

  it('a local function passed to a converted user function runs converted there; array methods get the callback', async () => {
    const g = toGraph(fx.passesLocal as Fn, { scope: { applyTwice: fx.applyTwice } });
    for (const value of [3, -3, 0]) {
      expect(await g(value), `a = ${value}`).to.deep.equal(fx.passesLocal(value));
      const a = tf.scalar(value, 'int32');
      const [twice, mapped] = (await expectNoLeaks(async () => {
        const out = (await g(a)) as [tf.Tensor, number[]];
        return [await valueOf(out[0]), out[1]];
      })) as [number, number[]];
      expect([twice, mapped], `a = tensor ${value}`).to.deep.equal(fx.passesLocal(value));
      a.dispose();
    }
  });

  it('the converted code shows the calls through the runtime', () => {
    expect(toCode(fx.clampedSquare as Fn)).to.contain(
      'yield* ag__.convertedCall(ag_ctx__, square, undefined, [x], "square")',
    );
  });
});

describeWithBackends('callbacks stay synchronous', () => {
  it('callbacks get operators, and user functions called from them are converted synchronously', async () => {
    const g = toGraph(fx.mapsWithHelper as Fn, { scope: { square: fx.square } });
    expect(await g([1, 2])).to.deep.equal([2, 5]);
    const xs = [tf.scalar(1, 'int32'), tf.scalar(3, 'int32')];
    const out = (await g(xs)) as tf.Tensor[];
    expect(await Promise.all(out.map((t) => valueOf(t)))).to.deep.equal([2, 10]);
    tf.dispose(xs);
  });

  it('a tensor condition inside a callback is an error that names the callback and the fix', async () => {
    const xs = [tf.scalar(1, 'int32')];
    for (const [fn, what] of [
      [fx.callbackWithTensorCondition, 'the callback passed to map'],
      [fx.callbackCallsStaged, 'clampedSquare is called from the callback passed to map'],
      [fx.printsInCallback, 'console.log inside a callback'],
    ] as const) {
      const g = toGraph(fn as Fn, { scope: { clampedSquare: fx.clampedSquare, square: fx.square } });
      const error = await rejection(expectNoLeaks(() => g(xs)));
      expect(error, fn.name).to.be.instanceOf(StagingError);
      expect(error.message, fn.name).to.contain(what);
    }
    expect(await toGraph(fx.callbackWithTensorCondition as Fn)([2, -1])).to.deep.equal([2, 0]);
    tf.dispose(xs);
  });
});
