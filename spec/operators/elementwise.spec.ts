// Every operator and Math function, converted and run on tensors, agrees elementwise with the original
// run on each element as a plain number; on plain values it gives exactly the original's result.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { StagingError, toGraph } from '../../lib/index.js';
import * as ops from '../fixtures/operators.js';
import { describeWithBackends, expectNoLeaks } from '../helpers/backends.js';

type Fn = (...args: number[]) => unknown;
const FLOATS = [-7, -2.5, -1, -0.5, 0, 0.5, 1, 2.5, 3.25, 7];
const DIVISORS = [2, -3, 0.5, -0.75, 3, 1.5, -2, 4, 2, -1.25];
const INTS = [-7, -3, -1, 0, 1, 2, 5, 7, -4, 3];
const INT_DIVISORS = [2, -3, 1, -2, 3, 4, -2, 5, 3, -1];
const EXPONENTS = [0, 1, 2, 3, 1, 0, 2, 1, 3, 2];
const BOOLS = [true, false, true, false, true, false, true, true, false, false];

/** What each function gives on int32 operands, for those that keep int32 or give bool. */
const INT_RESULT: Record<string, tf.DataType> = {
  ...Object.fromEntries(
    ['add', 'sub', 'mul', 'mod', 'pow', 'mathPow', 'min', 'max', 'floorDiv', 'truncDiv'].map((k) => [k, 'int32']),
  ),
  ...Object.fromEntries(['addAssign', 'subAssign', 'mulAssign', 'modAssign', 'powAssign'].map((k) => [k, 'int32'])),
  ...Object.fromEntries(
    [
      'neg',
      'plus',
      'preIncrement',
      'preDecrement',
      'postIncrement',
      'postDecrement',
      'abs',
      'sign',
      'floor',
      'ceil',
      'round',
      'trunc',
    ].map((k) => [k, 'int32']),
  ),
  ...Object.fromEntries(
    ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal', 'notEqual', 'strictEqual', 'strictNotEqual', 'not'].map(
      (k) => [k, 'bool'],
    ),
  ),
  boolean: 'bool',
};

function close(actual: unknown, expected: unknown, tolerance: number, label: string): void {
  if (typeof expected === 'boolean') return void expect(actual, label).to.equal(expected);
  const [a, e] = [actual as number, expected as number];
  if (Number.isNaN(e)) return void expect(a, label).to.be.NaN;
  if (!Number.isFinite(e)) return void expect(a, label).to.equal(e);
  expect(Math.abs(a - e), `${label}: ${a} against ${e}`).to.be.at.most(tolerance * Math.abs(e) + 1e-6);
}

async function read(value: unknown): Promise<{ values: unknown[]; dtype: string }> {
  const t = value as tf.Tensor;
  expect(t, 'a tensor result').to.be.instanceOf(tf.Tensor);
  const values = Array.from(await t.data()) as number[];
  return { values: t.dtype === 'bool' ? values.map(Boolean) : values, dtype: t.dtype };
}

/** Converts `fn`, runs it on `args` (tensors or numbers) and compares each element with `fn` on plain numbers. */
async function agrees(
  name: string,
  fn: Fn,
  columns: (number[] | boolean[] | number)[],
  dtype: tf.DataType,
  tolerance: number,
): Promise<void> {
  const converted = toGraph(fn);
  const args: (number | tf.Tensor)[] = columns.map((c) =>
    typeof c === 'number' ? c : tf.tensor1d(c as number[], dtype),
  );
  const label = `${name} on ${columns.map((c) => (typeof c === 'number' ? c : dtype)).join(', ')}`;
  try {
    await expectNoLeaks(async () => {
      const result = await converted(...(args as never[]));
      const parts = Array.isArray(result) ? result : [result];
      const read_ = await Promise.all(parts.map(read));
      tf.dispose(parts.filter((p) => !args.includes(p as tf.Tensor)) as tf.Tensor[]);
      for (let i = 0; i < 10; i++) {
        const plain = columns.map((c) => (typeof c === 'number' ? c : c[i]!)) as number[];
        const expected = fn(...plain);
        const expectedParts = Array.isArray(expected) ? expected : [expected];
        expectedParts.forEach((e, j) => close(read_[j]!.values[i], e, tolerance, `${label} at ${plain.join(', ')}`));
      }
      if (dtype === 'int32' && columns.every((c) => typeof c !== 'number' || Number.isInteger(c))) {
        const want = INT_RESULT[name] ?? 'float32';
        expect(read_[0]!.dtype, `${label}: dtype`).to.equal(want);
      }
    });
  } finally {
    tf.dispose(args.filter((a): a is tf.Tensor => typeof a !== 'number'));
  }
}

describeWithBackends('operators and Math on tensors, elementwise', () => {
  const binary = { ...ops.binary, ...ops.compound } as Record<string, Fn>;

  it('binary operators and two-argument Math functions, float32', async function () {
    this.timeout(120_000);
    for (const [name, fn] of Object.entries(binary)) {
      const tolerance = name === 'atan2' || name === 'hypot' || name.toLowerCase().includes('pow') ? 1e-3 : 1e-5;
      await agrees(name, fn, [FLOATS, DIVISORS], 'float32', tolerance);
      await agrees(name, fn, [FLOATS, 2.5], 'float32', tolerance);
      await agrees(name, fn, [-1.5, DIVISORS], 'float32', tolerance);
    }
  });

  it('binary operators and two-argument Math functions, int32, with weak number typing', async function () {
    this.timeout(120_000);
    for (const [name, fn] of Object.entries(binary)) {
      const tolerance = name === 'atan2' || name === 'hypot' ? 1e-3 : 1e-5;
      const second = name.toLowerCase().includes('pow') ? EXPONENTS : INT_DIVISORS;
      await agrees(name, fn, [INTS, second], 'int32', tolerance);
      await agrees(name, fn, [INTS, 3], 'int32', tolerance);
      await agrees(name, fn, [-5, second], 'int32', tolerance);
      // A number int32 cannot hold promotes to float32.
      await agrees(name, fn, [INTS, 0.5], 'int32', name.toLowerCase().includes('pow') ? 1e-3 : tolerance);
    }
  });

  it('bool tensors act as 0 and 1 in arithmetic', async function () {
    this.timeout(60_000);
    for (const name of ['add', 'sub', 'mul', 'less', 'greaterEqual', 'equal', 'strictEqual', 'max']) {
      await agrees(name, binary[name]!, [BOOLS as unknown as number[], BOOLS.slice().reverse()], 'bool', 1e-5);
    }
    for (const name of ['add', 'mul', 'less', 'equal']) {
      await agrees(name, binary[name]!, [BOOLS as unknown as number[], 2], 'bool', 1e-5);
    }
  });

  it('unary operators, increments and Math functions', async function () {
    this.timeout(120_000);
    for (const [name, fn] of Object.entries(ops.unary as Record<string, Fn>)) {
      await agrees(name, fn, [FLOATS], 'float32', 1e-5);
      await agrees(name, fn, [INTS], 'int32', 1e-5);
    }
  });

  it('transcendental Math functions, within a relative error of 1e-3', async function () {
    this.timeout(120_000);
    const domain = [-0.9, -0.5, -0.25, 0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
    for (const [name, fn] of Object.entries(ops.transcendental as Record<string, Fn>)) {
      await agrees(name, fn, [domain], 'float32', 1e-3);
      await agrees(name, fn, [[0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9]], 'float32', 1e-3);
      await agrees(name, fn, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], 'int32', 1e-3);
    }
  });
});

describe('operators and Math on plain values', () => {
  it('give exactly the original results', async () => {
    const values = [...FLOATS, NaN, Infinity, -Infinity, -0, 1e20, '3' as unknown as number, true as unknown as number];
    for (const [name, fn] of Object.entries({ ...ops.binary, ...ops.compound } as Record<string, Fn>)) {
      const converted = toGraph(fn);
      for (const a of values) {
        for (const b of [2, -0.5, 0, NaN, '2' as unknown as number]) {
          expect(await converted(a, b), `${name}(${String(a)}, ${String(b)})`).to.deep.equal(fn(a, b));
        }
      }
    }
    for (const [name, fn] of Object.entries({ ...ops.unary, ...ops.transcendental } as Record<string, Fn>)) {
      const converted = toGraph(fn);
      for (const a of values) expect(await converted(a), `${name}(${String(a)})`).to.deep.equal(fn(a));
    }
  });
});

describeWithBackends('operators on tensors: wrapping, callbacks and unsupported operators', (backend) => {
  it('int32 arithmetic wraps as Int32Array does on cpu; WebGPU is exact within 2^24', async () => {
    // tfjs's WebGPU backend computes int32 arithmetic in float32 (docs/operators.md says so).
    const inputs = backend === 'webgpu' ? [16777215, -16777216, 5] : [2147483647, -2147483648, 5];
    const a = tf.tensor1d(inputs, 'int32');
    const sum = (await toGraph(ops.special.wraps)(a)) as tf.Tensor;
    expect(Array.from(await sum.data())).to.deep.equal(Array.from(new Int32Array(inputs.map((v) => v + 1))));
    tf.dispose([a, sum]);
  });

  it('callbacks passed to other code get operator conversion and stay synchronous', async () => {
    const xs = [tf.scalar(1, 'int32'), tf.scalar(2, 'int32')];
    const y = tf.scalar(10, 'int32');
    const [doubled, total] = (await toGraph(ops.special.callbacks)(xs, y)) as [tf.Tensor[], tf.Tensor];
    expect(await Promise.all(doubled.map(async (t) => (await t.data())[0]))).to.deep.equal([12, 14]);
    expect((await total.data())[0]).to.equal(26);
    tf.dispose([...xs, y, ...doubled, total]);
  });

  it('bitwise operators, in, and strings with tensors are errors that name the operator and the fix', async () => {
    const t = tf.scalar(3, 'int32');
    const cases: [(...args: never[]) => unknown, unknown[], string][] = [
      [ops.special.bitAnd, [t, 1], "'&' does not work on tensors"],
      [ops.special.bitOr, [1, t], 'tf.logicalOr'],
      [ops.special.bitXor, [t, t], 'tf.logicalXor'],
      [ops.special.bitNot, [t], "'~'"],
      [ops.special.shiftLeft, [t, 1], 'a * 2 ** k'],
      [ops.special.shiftRight, [t, 1], "'>>'"],
      [ops.special.shiftRightUnsigned, [t, 1], "'>>>'"],
      [ops.special.inObject, [0, t], "'in'"],
      [ops.special.template, [t], 'template literal contains a tensor'],
      [ops.special.concat, [t], 'pass the tensor as its own console.log argument'],
    ];
    for (const [fn, args, message] of cases) {
      const error = await expectNoLeaks(() =>
        toGraph(fn as (...a: unknown[]) => unknown)(...args).then(
          () => undefined,
          (e: unknown) => e as Error,
        ),
      );
      expect(error, fn.name).to.be.instanceOf(StagingError);
      expect(error!.message, fn.name).to.contain(message);
    }
    t.dispose();
    // On plain values each is JavaScript's own operator.
    for (const [fn, args] of cases) {
      const plainArgs = args.map((a) => (a === t ? 3 : a));
      if (fn === ops.special.inObject) plainArgs[1] = [5];
      const call = fn as (...a: unknown[]) => unknown;
      expect(await toGraph(call)(...plainArgs), fn.name).to.deep.equal(call(...plainArgs));
    }
  });

  it('isNaN, isFinite and Number.isNaN, isFinite and isInteger work elementwise on tensors', async () => {
    const floats = [NaN, Infinity, -Infinity, 1.5, 2, -0, -7];
    const ints = [-3, 0, 5];
    for (const [name, fn] of Object.entries(ops.predicates)) {
      const converted = toGraph(fn);
      for (const value of [...floats, 'abc', undefined, '12']) {
        expect(await converted(value), `${name}(${String(value)})`).to.equal(fn(value));
      }
      for (const [values, dtype] of [
        [floats, 'float32'],
        [ints, 'int32'],
      ] as const) {
        const t = tf.tensor(values as number[], undefined, dtype);
        // Read and freed inside, so that anything else the call made would show as a leak.
        const [outDtype, out] = await expectNoLeaks(async () => {
          const result = (await converted(t)) as unknown as tf.Tensor;
          const read = [result.dtype, Array.from(await result.data())] as const;
          result.dispose();
          return read;
        });
        expect(outDtype, name).to.equal('bool');
        expect(out, `${name} on ${dtype}`).to.deep.equal(values.map((v) => (fn(v) ? 1 : 0)));
        t.dispose();
      }
    }
  });

  it('number predicates passed as values, and a loop that stops at the first NaN', async () => {
    expect(await toGraph(ops.predicatesAsValues)([1, NaN, 2.5])).to.deep.equal(ops.predicatesAsValues([1, NaN, 2.5]));
    const losses = [0.5, 0.25, NaN, 0.1];
    const t = tf.tensor(losses);
    const steps = (await toGraph(ops.stepsBeforeNaN)(t)) as unknown as tf.Tensor;
    expect(Array.from(await steps.data())).to.deep.equal([ops.stepsBeforeNaN(losses)]);
    tf.dispose([t, steps]);
  });
});
