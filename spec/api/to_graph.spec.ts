// The public API: toGraph, toCode, convert, free-name binding and the conversion cache.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as autograph from '../../lib/index.js';
import { ConversionError, convert, toCode, toGraph } from '../../lib/index.js';
import * as fixtures from '../fixtures/api.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';

function conversionError(fn: () => unknown): ConversionError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ConversionError);
    return error as ConversionError;
  }
  expect.fail('expected a ConversionError');
}

describeWithBackends('toGraph', () => {
  it('passes `this` through as a normal call does', async () => {
    const times = toGraph(fixtures.counter.times);
    expect(await times.call(fixtures.counter, 2)).to.equal(6);
    const x = tf.scalar(2);
    expect(await valueOf(await times.call(fixtures.counter, x))).to.equal(6);
    x.dispose();
    const holder = { scale: 10, times };
    expect(await holder.times(2)).to.equal(20);
  });

  it('accepts default, rest and destructured parameters', async () => {
    expect(await toGraph(fixtures.withDefaults)(3)).to.equal(fixtures.withDefaults(3));
    expect(await toGraph(fixtures.withDefaults)(3, 4, 'a', 'b')).to.equal(fixtures.withDefaults(3, 4, 'a', 'b'));
    const destructuring = toGraph(fixtures.withDestructuring) as unknown as (...args: unknown[]) => Promise<unknown>;
    expect(await destructuring({ x: 1, y: 2 }, [3])).to.equal(7);
  });

  it('accepts arrow functions with expression and block bodies', async () => {
    expect(await toGraph(fixtures.arrowExpression)(3)).to.equal(10);
    expect(await toGraph(fixtures.arrowBlock)(3)).to.equal(12);
    const x = tf.scalar(3, 'int32');
    expect(await valueOf(await toGraph(fixtures.arrowBlock)(x))).to.equal(12);
    x.dispose();
  });

  it('rejects an arrow function that uses `this`, saying what to write instead', () => {
    const error = conversionError(() => toGraph(fixtures.arrowWithThis));
    expect(error.message).to.contain('arrow function that uses `this`');
    expect(error.message).to.contain('function expression or a method');
    expect(error.line).to.equal(1);
  });

  it('runs async functions, awaiting what they await', async () => {
    const g = toGraph(fixtures.asyncWithAwait);
    expect(await g(5)).to.equal(6);
    expect(await g(1)).to.equal(1);
  });

  it('binds free names from scope, and tf and autograph by default', async () => {
    expect(await toGraph(fixtures.usesDelta, { scope: { delta: 4 } })(2)).to.equal(8);
    const [tfValue, autographValue] = (await toGraph(fixtures.usesTfAndAutograph)()) as unknown[];
    expect(tfValue).to.equal(tf);
    // `autograph` is the library: every export of the module, as the module exports it, and the module's
    // own `autograph` export is that same namespace.
    expect(autographValue).to.equal(autograph.autograph);
    const exports = Object.entries(autograph).filter(([name]) => name !== 'autograph');
    expect(exports.length).to.be.greaterThan(5);
    expect(Object.keys(autographValue as object)).to.have.length(exports.length);
    for (const [name, value] of exports)
      expect((autographValue as Record<string, unknown>)[name], name).to.equal(value);
    const override = { marker: true };
    const [tfOverridden] = (await toGraph(fixtures.usesTfAndAutograph, { scope: { tf: override } })()) as unknown[];
    expect(tfOverridden).to.equal(override);
  });

  it('binds the standard ECMAScript globals and console', async () => {
    expect(await toGraph(fixtures.usesStandardGlobals)(3)).to.deep.equal(fixtures.usesStandardGlobals(3));
  });

  it('does not bind other globals: a browser-style global is a ConversionError', () => {
    const global = globalThis as Record<string, unknown>;
    global.status = 'from globalThis';
    try {
      const error = conversionError(() => toGraph(fixtures.usesBrowserGlobal));
      expect(error.message).to.contain("'status'");
    } finally {
      delete global.status;
    }
  });

  it('lists every unresolved name and shows the scope option as the fix', () => {
    const error = conversionError(() => toGraph(fixtures.usesHelperAndDelta));
    expect(error.message).to.contain("'helper', 'delta'");
    expect(error.fix).to.equal('pass them in the scope option: toGraph(fn, { scope: { helper, delta } }).');
    expect(error.line).to.equal(2);
    expect(error.frame).to.contain('^');
  });

  it('rejects assignments to names declared outside the function', () => {
    const error = conversionError(() => toGraph(fixtures.assignsOutside, { scope: { delta: 1 } }));
    expect(error.message).to.contain("assigns to 'delta'");
  });

  it('hoists var declarations without changing what they mean', async () => {
    expect(await toGraph(fixtures.varHoisting)(4)).to.deep.equal(fixtures.varHoisting(4));
  });

  it('checks its options', () => {
    expect(() => toGraph(fixtures.usesDelta, { scop: {} } as never)).to.throw(TypeError, "unknown option 'scop'");
    expect(() => toGraph(fixtures.usesDelta, { scope: 3 } as never)).to.throw(TypeError, 'options.scope');
  });
});

describe('the conversion cache', () => {
  it('returns the same function for the same function and scope values, without parsing again', () => {
    const fn = (x: number) => x + 1;
    const original = Function.prototype.toString;
    let reads = 0;
    Function.prototype.toString = function (this: unknown) {
      if (this === fn) reads++;
      return original.call(this as () => void);
    };
    try {
      const a = toGraph(fn, { scope: { delta: 1 } });
      const b = toGraph(fn, { scope: { delta: 1 } });
      expect(b).to.equal(a);
      expect(convert({ scope: { delta: 1 } })(fn)).to.equal(a);
      expect(toGraph(fixtures.usesDelta, { scope: { delta: 1 } })).to.not.equal(
        toGraph(fixtures.usesDelta, { scope: { delta: 2 } }),
      );
      toCode(fn);
      expect(reads).to.equal(1);
    } finally {
      Function.prototype.toString = original;
    }
  });
});

describeWithBackends('convert', () => {
  class Model {
    weight = 2;

    @convert()
    step(x: unknown) {
      let y = x;
      if ((y as number) > 0) {
        y = (y as number) * this.weight;
      }
      return y;
    }
  }

  it('works as a TypeScript 5 standard decorator on class methods', async () => {
    const model = new Model();
    expect(await model.step(3)).to.equal(6);
    const x = tf.scalar(3);
    expect(await valueOf(await model.step(x))).to.equal(6);
    x.dispose();
  });

  class Accumulator {
    total: unknown = 0;
    count = 0;

    @convert()
    run(n: unknown): unknown {
      for (let i = 0; (i as number) < (n as number); i++) {
        this.total = (this.total as number) + i;
        this.count++;
      }
      // Tensors stored on this live until the call ends; one kept with tf.keep outlives it.
      this.total = tf.keep(this.total as tf.Tensor);
      return this.count;
    }
  }

  it('decorated methods read and assign this properties inside staged loops', async () => {
    const accumulator = new Accumulator();
    const n = tf.scalar(4, 'int32');
    const before = tf.memory().numTensors;
    expect(await accumulator.run(n)).to.equal(4);
    expect(await (accumulator.total as tf.Tensor).data()).to.deep.equal(new Int32Array([6]));
    expect(tf.memory().numTensors).to.equal(before + 1);
    tf.dispose([accumulator.total as tf.Tensor, n]);
  });

  it('also works as a legacy (experimentalDecorators) method decorator', async () => {
    const target = {
      weight: 3,
      step(x: number) {
        let y = x;
        if (y > 0) {
          y = y * this.weight;
        }
        return y;
      },
    };
    const decorate = convert() as unknown as (t: object, key: string, d: PropertyDescriptor) => PropertyDescriptor;
    const descriptor = decorate(target, 'step', Object.getOwnPropertyDescriptor(target, 'step')!);
    Object.defineProperty(target, 'step', descriptor);
    expect(await target.step(2)).to.equal(6);
    expect(() => decorate(target, 'weight', { get: () => 1 })).to.throw(ConversionError, 'decorates methods');
  });

  it('rejects decorating anything but a method', () => {
    const decorate = convert() as (value: unknown, context: unknown) => unknown;
    expect(() => decorate(undefined, { kind: 'field', name: 'x' })).to.throw(ConversionError, 'applied to a field');
  });
});
