// The catalogue of bad input: each gets a clear error that says what to do (or works), and leaks nothing.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { AssertionError, ConversionError, StagingError, toGraph } from '../../lib/index.js';
import * as fx from '../fixtures/bad_input.js';
import { describeWithBackends, expectNoLeaks, valueOf, rejection } from '../helpers/backends.js';

type Fn = (...args: unknown[]) => unknown;

/** Conversion fails with a ConversionError containing each of `parts`, and creates no tensor. */
function rejectsConversion(value: unknown, ...parts: string[]): ConversionError {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    toGraph(value as Fn);
  } catch (e) {
    error = e;
  }
  expect(error, 'a ConversionError').to.be.instanceOf(ConversionError);
  for (const part of parts) expect((error as Error).message).to.contain(part);
  expect(tf.memory().numTensors).to.equal(before);
  return error as ConversionError;
}

describe('bad input: what cannot be converted', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('arguments that are not functions', () => {
    for (const value of [undefined, null, 3, 'f', {}, [], tf]) rejectsConversion(value, 'expected a function');
  });

  it('native, bound, generator and class values', () => {
    rejectsConversion(Math.max, 'native');
    rejectsConversion(fx.squareSum.bind(null), 'bound');
    rejectsConversion(function* gen() {}, 'generator');
    rejectsConversion(class Model {}, 'class');
  });

  it('functions using eval, with, arguments, super, new.target or yield', () => {
    rejectsConversion((x: string) => eval(x), '`eval`', 'write the code directly');
    rejectsConversion(new Function('o', 'with (o) { return a; }'), '`with`', 'o.a instead');
    rejectsConversion(
      function usesArguments() {
        return arguments.length;
      },
      '`arguments`',
      'rest parameters',
    );
    rejectsConversion(
      {
        describe() {
          return super.toString();
        },
      }.describe,
      '`super`',
      'Parent.prototype',
    );
    rejectsConversion(function constructed() {
      return new.target;
    }, '`new.target`');
    rejectsConversion(function* counts() {
      yield 1;
    }, 'generator');
  });

  it('syntax that acorn cannot parse, with the position and the fix', () => {
    const original = Function.prototype.toString;
    const fn = function broken() {};
    Function.prototype.toString = function (this: unknown) {
      return this === fn ? 'function broken() { return 1 +; }' : original.call(this as Fn);
    };
    try {
      const error = rejectsConversion(fn, 'could not be parsed', 'line 1, column 31');
      // The fields count as the message does, from 1.
      expect([error.line, error.column]).to.deep.equal([1, 31]);
      expect(error.fix).to.contain('standard JavaScript');
    } finally {
      Function.prototype.toString = original;
    }
  });
});

// On cpu only: SwiftShader would take minutes over the 500 staged reads.
describe('bad input: size', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('a function of 10,000 lines converts and runs correctly', async function () {
    this.timeout(60_000);
    const lines = ['function big(x) {', '  let s = 0;'];
    for (let i = 0; i < 9996; i++) lines.push(`  s = s + ${i % 7} * x;`);
    lines.push('  return s;', '}');
    const big = new Function(`return ${lines.join('\n')}`)() as (x: unknown) => number;
    expect(lines).to.have.length(10_000);
    const g = toGraph(big);
    expect(await g(1)).to.equal(big(1));
    const x = tf.scalar(2);
    expect(await expectNoLeaks(async () => valueOf(await g(x), [x]))).to.equal(big(2));
    x.dispose();
  });

  it('500 levels of nested if convert and run, staged, with no stack overflow', async function () {
    this.timeout(60_000);
    let source = 'function deep(x) {\n  let s = 0;\n';
    for (let i = 0; i < 500; i++) source += `if (x > ${i}) {\n`;
    source += 's = 1;\n' + '}\n'.repeat(500) + 'return s;\n}';
    const deep = new Function(`return ${source}`)() as (x: unknown) => number;
    const g = toGraph(deep);
    expect(await g(600)).to.equal(1);
    expect(await g(3)).to.equal(0);
    const x = tf.scalar(600);
    expect(await expectNoLeaks(async () => valueOf(await g(x), [x]))).to.equal(1);
    x.dispose();
  });
});

describeWithBackends('bad input: at run time', (backend) => {
  it('conditions that are string tensors, disposed tensors, or of rank above 0', async () => {
    const cases: [tf.Tensor, string][] = [
      [tf.scalar('yes'), 'string tensor'],
      [tf.tensor1d([1, 0]), 'tf.any(...)'],
      [tf.scalar(1), 'disposed tensor'],
    ];
    cases[2]![0].dispose();
    for (const [condition, message] of cases) {
      const error = await rejection(expectNoLeaks(() => toGraph(fx.stringCondition)(condition)));
      expect(error).to.be.instanceOf(StagingError);
      expect(error.message).to.contain(message).and.contain('In stringCondition, line 3:');
      condition.dispose();
    }
  });

  it('a for-of loop over a value that is not iterable is TypeError naming the value, not the runtime', async () => {
    for (const value of [5, undefined, { a: 1 }]) {
      const error = await rejection(toGraph(fx.sumOfItems as Fn)(value));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.match(/^(5|undefined|the object) is not iterable/);
      expect(error.message).not.to.contain('ag__');
    }
  });

  it('a staged loop that never ends stops at maximumIterations with an error naming the loop', async () => {
    const x = tf.scalar(1);
    const g = toGraph(fx.endless, { maximumIterations: 20 });
    const error = await rejection(expectNoLeaks(() => g(x)));
    expect(error).to.be.instanceOf(StagingError);
    expect(error.message).to.contain('A while loop whose condition is a tensor ran 20 iterations');
    expect(error.message).to.contain('In endless, line 3:');
    x.dispose();
    expect(() => toGraph(fx.endless, { maximumIterations: -1 })).to.throw(TypeError, 'whole number');
  });

  it('a user exception from the middle of a staged loop keeps its class and frees every intermediate', async () => {
    const n = tf.scalar(10, 'int32');
    const error = await rejection(expectNoLeaks(() => toGraph(fx.throwsMidLoop)(n)));
    expect(error).to.be.instanceOf(RangeError);
    expect(error.message).to.contain('stopped at 3').and.contain('In throwsMidLoop, line 6:');
    expect((error.cause as Error).message).to.equal('stopped at 3');
    n.dispose();
  });

  it('concurrent calls of one converted function with different inputs are all correct and leak nothing', async function () {
    this.timeout(120_000);
    // SwiftShader runs each staged read slowly: fewer calls there.
    const count = backend === 'webgpu' ? 100 : 1000;
    const g = toGraph(fx.squareSum);
    const inputs = Array.from({ length: count }, (_, i) => [tf.scalar(i % 13), tf.scalar((i % 5) - 2)] as const);
    const results = await expectNoLeaks(() =>
      Promise.all(inputs.map(async ([x, y]) => valueOf(await g(x, y), [x, y]))),
    );
    results.forEach((value, i) => expect(value, `call ${i}`).to.equal(fx.squareSum(i % 13, (i % 5) - 2)));
    tf.dispose(inputs.flat());
  });

  it("an error from line 3 names line 3 of the user's function and shows its source, keeping its class", async () => {
    const a = tf.ones([2, 3]);
    const cases: [Fn, unknown[], new (...args: never[]) => Error, string][] = [
      [fx.lineThreeShapeError as Fn, [a, a], Error, 'matMul'],
      [fx.lineThreeThrow as Fn, [tf.scalar(20)], TypeError, 'x is too large'],
      [fx.lineThreeAssert as Fn, [tf.scalar(20)], AssertionError, 'y must stay below 10'],
      [fx.lineThreeDtype as Fn, [tf.scalar(2, 'int32')], StagingError, "'x' is int32"],
    ];
    // V8's default stack depth, which test runners often raise.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 10;
    const errors: (Error & { line?: number })[] = [];
    try {
      for (const [fn, args] of cases) errors.push(await rejection(expectNoLeaks(() => toGraph(fn)(...args))));
    } finally {
      Error.stackTraceLimit = limit;
    }
    for (const [i, [fn, , type, message]] of cases.entries()) {
      const error = errors[i]!;
      expect(error, fn.name).to.be.instanceOf(type);
      expect(error.message, fn.name).to.contain(message).and.contain(`In ${fn.name}, line 3:`);
      expect(error.message, fn.name).to.contain(`> 3 | ${fn.toString().split('\n')[2]}`);
      expect(error.line, fn.name).to.equal(3);
      // The column counts from 1, as the stack frame's does.
      const column = (error as { column?: number }).column;
      expect(error.stack, fn.name)
        .to.contain(`at ${fn.name} (${fn.name}:3:${column})`)
        .and.not.contain('autograph:///');
    }
    tf.dispose([a, ...cases.flatMap(([, args]) => args as tf.Tensor[]).filter((t) => t !== a)]);
  });
});
