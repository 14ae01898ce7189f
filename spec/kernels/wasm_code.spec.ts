// SIMD fused kernels: random expressions over every kernel with a SIMD form give the JavaScript loop's results bit for bit.
import { expect } from 'chai';
import fc from 'fast-check';
import { expressionKey, type Elementwise, type Scalar, type Step } from '../../lib/kernels/elementwise.js';
import { javascriptLoop } from '../../lib/kernels/js_code.js';
import { simdModule } from '../../lib/kernels/wasm_code.js';
import { runOnCopies } from '../../lib/kernels/wasm_run.js';

/** Kernels with a SIMD form, by the dtype they take: what each gives, how many arguments, its attributes. */
const OPS: {
  op: string;
  takes: Scalar;
  gives: Scalar;
  arity: number;
  attrs?: Record<string, number | string>;
  /** The second argument's value, a literal. */
  literal?: number;
}[] = [
  ...['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum'].map((op) => ({
    op,
    takes: 'float32' as const,
    gives: 'float32' as const,
    arity: 2,
  })),
  ...['Abs', 'Neg', 'Sqrt', 'Floor', 'Ceil', 'Round', 'Square', 'Reciprocal', 'Relu', 'Sign'].map((op) => ({
    op,
    takes: 'float32' as const,
    gives: 'float32' as const,
    arity: 1,
  })),
  { op: 'LeakyRelu', takes: 'float32', gives: 'float32', arity: 1, attrs: { alpha: 0.25 } },
  { op: 'ClipByValue', takes: 'float32', gives: 'float32', arity: 1, attrs: { clipValueMin: -1.5, clipValueMax: 2 } },
  { op: 'IsNan', takes: 'float32', gives: 'bool', arity: 1 },
  ...['Add', 'Sub', 'Maximum', 'Minimum'].map((op) => ({
    op,
    takes: 'int32' as const,
    gives: 'int32' as const,
    arity: 2,
  })),
  { op: 'Neg', takes: 'int32', gives: 'int32', arity: 1 },
  // By a literal: a product below 2^53 in doubles, a shift and a mask.
  ...['Multiply', 'FloorDiv', 'Mod'].map((op) => ({
    op,
    takes: 'int32' as const,
    gives: 'int32' as const,
    arity: 2,
    literal: op === 'Multiply' ? -7 : 8,
  })),
  ...(['float32', 'int32'] as const).flatMap((takes) =>
    ['Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual'].map((op) => ({
      op,
      takes,
      gives: 'bool' as const,
      arity: 2,
    })),
  ),
  ...['Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'].map((op) => ({
    op,
    takes: 'bool' as const,
    gives: 'bool' as const,
    arity: 2,
  })),
  { op: 'LogicalNot', takes: 'bool', gives: 'bool', arity: 1 },
  ...(['float32', 'int32', 'bool'] as const).map((takes) => ({ op: 'Select', takes, gives: takes, arity: 3 })),
  ...(
    [
      ['bool', 'float32'],
      ['bool', 'int32'],
      ['float32', 'bool'],
      ['int32', 'bool'],
      ['float32', 'float32'],
    ] as const
  ).map(([takes, gives]) => ({ op: 'Cast', takes, gives, arity: 1, attrs: { dtype: gives } })),
];

const DTYPES: Scalar[] = ['float32', 'int32', 'bool'];

/** Values that find a differing rounding, sign of zero or NaN: any float32, including -0, infinities, subnormals. */
const floats = fc.oneof(fc.float(), fc.constantFrom(-0.5, 0.5, -0, 2.5, -1.5, 1e-45, -3.4e38));
const ints = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -3, max: 3 }));
const bools = fc.constantFrom(0, 1);
const valuesOf = (dtype: Scalar) => (dtype === 'float32' ? floats : dtype === 'int32' ? ints : bools);

/**
 * An expression from choices: three inputs (each of one element or of all n), a literal per dtype, then
 * `ops` kernels, each taking earlier values of the dtype it takes (the first of that dtype when the
 * choice runs past them).
 */
function build(n: number, inputKinds: { dtype: Scalar; one: boolean }[], choices: [number, number[]][]): Elementwise {
  const steps: Step[] = inputKinds.map(({ dtype }, input) => ({ op: 'input', input, dtype }));
  steps.push({ op: 'literal', value: 1.5, dtype: 'float32' });
  steps.push({ op: 'literal', value: -7, dtype: 'int32' });
  steps.push({ op: 'literal', value: 8, dtype: 'int32' });
  steps.push({ op: 'literal', value: 1, dtype: 'bool' });
  for (const [pick, argPicks] of choices) {
    const kernel = OPS[pick % OPS.length]!;
    const of = (dtype: Scalar) => steps.map((s, k) => (s.dtype === dtype ? k : -1)).filter((k) => k >= 0);
    const args = Array.from({ length: kernel.arity }, (_, a) => {
      if (a === 1 && kernel.literal !== undefined) {
        return steps.findIndex((s) => s.op === 'literal' && (s as { value: number }).value === kernel.literal);
      }
      const pool = of(kernel.op === 'Select' && a === 0 ? 'bool' : kernel.takes);
      return pool[(argPicks[a] ?? 0) % pool.length]!;
    });
    steps.push({ op: kernel.op, args, dtype: kernel.gives, ...(kernel.attrs ? { attrs: kernel.attrs } : {}) });
  }
  const shape = [n];
  const inputs = inputKinds.map(({ dtype, one }) => ({ dtype, shape: one ? [] : shape }));
  const dtype = steps[steps.length - 1]!.dtype;
  return { shape, dtype, inputs, steps, key: expressionKey(shape, inputs, steps) };
}

const typed = (dtype: Scalar, values: number[] | number) =>
  dtype === 'float32'
    ? new Float32Array(values as number[])
    : dtype === 'int32'
      ? new Int32Array(values as number[])
      : new Uint8Array(values as number[]);

/** Equal bit for bit, but NaNs (whose payloads JavaScript does not keep) equal to each other. */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let k = 0; k < a.length; k++) {
    if (!(Object.is(a[k], b[k]) || (Number.isNaN(a[k]) && Number.isNaN(b[k])))) return false;
  }
  return a.length === b.length;
}

describe('kernels: SIMD fused kernels', () => {
  it('give what the JavaScript loop gives, bit for bit, for every kernel with a SIMD form', () => {
    let compared = 0;
    const case_ = fc
      .record({
        n: fc.integer({ min: 1, max: 19 }),
        kinds: fc.array(fc.record({ dtype: fc.constantFrom(...DTYPES), one: fc.boolean() }), {
          minLength: 3,
          maxLength: 3,
        }),
        choices: fc.array(fc.tuple(fc.nat(), fc.array(fc.nat(), { minLength: 3, maxLength: 3 })), {
          minLength: 1,
          maxLength: 8,
        }),
      })
      .chain(({ n, kinds, choices }) =>
        fc.record({
          expression: fc.constant(build(n, kinds, choices)),
          data: fc.tuple(
            ...kinds.map(({ dtype, one }) =>
              fc.array(valuesOf(dtype), { minLength: one ? 1 : n, maxLength: one ? 1 : n }),
            ),
          ),
        }),
      );
    fc.assert(
      fc.property(case_, ({ expression, data }) => {
        expect(simdModule(expression), expression.key).to.not.equal(null);
        const values = data.map((v, k) => typed(expression.inputs[k]!.dtype, v));
        const n = expression.shape[0]!;
        const want = typed(expression.dtype, new Array<number>(n).fill(0));
        javascriptLoop(expression)(values, want, 0, n);
        const got = typed(expression.dtype, new Array<number>(n).fill(0));
        // Fewer than four elements keep the JavaScript loop.
        expect(runOnCopies(expression, values, got)).to.equal(n >= 4);
        if (n >= 4) {
          compared++;
          expect(same(got, want), `${expression.key}\n${Array.from(got)}\nvs ${Array.from(want)}`).to.equal(true);
        }
      }),
      { numRuns: 1500 },
    );
    expect(compared).to.be.greaterThan(1000);
  });

  it('keep the JavaScript loop where one rounding in float32 would differ from tfjs', () => {
    const inexact: Step[][] = [
      [{ op: 'Exp', args: [0], dtype: 'float32' }],
      // An int32 product past 2^53 rounds in JavaScript's doubles before it wraps.
      [{ op: 'Multiply', args: [1, 1], dtype: 'int32' }],
      [{ op: 'LeakyRelu', args: [0], dtype: 'float32', attrs: { alpha: 0.1 } }],
      [{ op: 'Cast', args: [0], dtype: 'int32', attrs: { dtype: 'int32' } }],
      [{ op: 'SquaredDifference', args: [0, 0], dtype: 'float32' }],
    ];
    for (const tail of inexact) {
      const inputs = [
        { dtype: 'float32' as const, shape: [8] },
        { dtype: 'int32' as const, shape: [8] },
      ];
      const steps: Step[] = [
        { op: 'input', input: 0, dtype: 'float32' },
        { op: 'input', input: 1, dtype: 'int32' },
        ...tail,
      ];
      const dtype = tail[0]!.dtype;
      const expression = { shape: [8], dtype, inputs, steps, key: expressionKey([8], inputs, steps) };
      expect(simdModule(expression), tail[0]!.op).to.equal(null);
    }
  });
});
