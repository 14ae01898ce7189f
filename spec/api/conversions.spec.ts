// The conversion cache: one conversion per source text, and every process-wide table stays bounded.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { conversionOf, sourceCacheSize } from '../../lib/api/conversions.js';
import { loadedCodeCount } from '../../lib/api/loaded_code.js';
import { toCode, toGraph } from '../../lib/index.js';
import { captureLog } from '../helpers/console.js';

/** A fresh closure each call, with the same source text: what a component or a loop makes. */
const makeScaler = (k: number) => (x: number) => x * k;

/** Waits for a full collection, and for the finalizers it queues (WeakRefs hold their targets for a job). */
async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, 'the specs run with --expose-gc (see .mocharc.json)').to.be.a('function');
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
  }
}

describe('the conversion cache', () => {
  it('converting the same source text twice reuses the first conversion', async () => {
    const a = makeScaler(2);
    const b = makeScaler(3);
    expect(a).to.not.equal(b);
    expect(conversionOf(a)).to.equal(conversionOf(b));
    expect(toCode(a)).to.equal(toCode(b));
    // Each closure still runs with its own captured value.
    expect(await toGraph(a, { scope: { k: 2 } })(5)).to.equal(10);
    expect(await toGraph(b, { scope: { k: 3 } })(5)).to.equal(15);
  });

  it('a different name or source text is a different conversion', () => {
    const one = new Function('return function f(x) { return x + 1; }')() as (x: number) => number;
    const two = new Function('return function f(x) { return x + 2; }')() as (x: number) => number;
    const renamed = new Function('return function g(x) { return x + 1; }')() as (x: number) => number;
    expect(conversionOf(one)).to.not.equal(conversionOf(two));
    expect(conversionOf(one)).to.not.equal(conversionOf(renamed));
  });

  it('10,000 fresh closures of one source make one conversion', async () => {
    const before = sourceCacheSize();
    let total = 0;
    for (let k = 0; k < 10_000; k++) total += await toGraph(makeScaler(k), { scope: { k } })(1);
    expect(total).to.equal((9_999 * 10_000) / 2);
    expect(sourceCacheSize() - before).to.be.at.most(1);
  });

  it('converting 10,000 different closures leaves every table bounded once they are gone', async () => {
    await collectGarbage();
    const baseline = loadedCodeCount();
    for (let k = 0; k < 10_000; k++) {
      const fn = new Function(`return function step(x) { if (x > ${k}) { return x - 1; } return x + ${k}; }`)() as (
        x: number,
      ) => number;
      expect(await toGraph(fn)(k + 1)).to.equal(k);
    }
    expect(sourceCacheSize()).to.be.at.most(256);
    await collectGarbage();
    // What the source cache still holds stays loaded; the rest went with its functions.
    expect(loadedCodeCount() - baseline).to.be.at.most(256);
  });
});

describe('the staged back end', () => {
  it('is converted and loaded on first need: calls on numbers load only the plain clone', async () => {
    const fn = new Function('return function lazy(x) { if (x > 0) { return x; } return -x; }')() as (
      x: unknown,
    ) => unknown;
    const converted = toGraph(fn);
    expect(await converted(-2)).to.equal(2);
    expect(conversionOf(fn).runtime!.entries.map((entry) => entry.url)).to.deep.equal(['autograph:///lazy.plain.js']);
    const x = tf.scalar(-3);
    const y = (await converted(x)) as tf.Tensor;
    expect(await y.data()).to.deep.equal(new Float32Array([3]));
    tf.dispose([x, y]);
    expect(conversionOf(fn).runtime!.entries.map((entry) => entry.url)).to.deep.equal([
      'autograph:///lazy.plain.js',
      'autograph:///lazy.js',
    ]);
  });
});

describe('printing from nested plain runs', () => {
  it("a converted function called through native code prints in the original program's order", async () => {
    const g = toGraph(function g(x: number) {
      console.log('g', x);
      return x * 2;
    });
    // g passed by reference to native code makes f run staged (it could not be restarted safely); g's own
    // plain run buffers its prints and flushes them at its end. Nesting of plain runs: spec/operators/plain.spec.ts.
    function f() {
      console.log('before');
      const ys = [1, 2].map(g);
      console.log('after');
      return ys.length;
    }
    const expected = (await captureLog(() => f())).lines;
    const { result, lines } = await captureLog(() => toGraph(f, { scope: { g } })());
    expect(result).to.equal(2);
    expect(lines).to.deep.equal(expected);
    expect(lines).to.deep.equal([['before'], ['g', 1], ['g', 2], ['after']]);
  });
});
