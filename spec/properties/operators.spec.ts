// Property: random expression trees over the operators and Math functions, converted and run on scalar
// tensors, agree with the original run on plain numbers; on plain numbers they agree exactly.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import fc from 'fast-check';
import { toGraph } from '../../lib/index.js';
import { describeWithBackends } from '../helpers/backends.js';

/** An expression as source, and the same expression with every part passed through `chk`, which records magnitudes. */
interface Expr {
  src: string;
  chk: string;
}

const leaf = (src: string): Expr => ({ src, chk: `chk(${src})` });
const wrap = (src: string, chk: string): Expr => ({ src: `(${src})`, chk: `chk(${chk})` });

// Literals and divisors are dyadic, so that float32 and float64 compute every value exactly and decisions
// such as Math.floor or < cannot differ by a rounding.
const expression: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', '0', '1', '2', '-3', '0.5', '-1.5').map(leaf),
    fc
      .tuple(tie('expr'), fc.constantFrom('+', '-', '*', '<', '<=', '>', '>=', '==', '!=', '===', '!=='), tie('expr'))
      .map(([l, op, r]) => wrap(`${l.src} ${op} ${r.src}`, `${l.chk} ${op} ${r.chk}`)),
    fc
      .tuple(tie('expr'), fc.constantFrom('/ 2', '/ 4', '/ 0.5', '% 3', '% -2', '% 7', '** 2'))
      .map(([e, tail]) => wrap(`(${e.src}) ${tail}`, `(${e.chk}) ${tail}`)),
    fc.tuple(fc.constantFrom('-', '+', '!'), tie('expr')).map(([op, e]) => wrap(`${op}(${e.src})`, `${op}(${e.chk})`)),
    fc
      .tuple(fc.constantFrom('abs', 'sign', 'floor', 'ceil', 'round', 'trunc'), tie('expr'))
      .map(([f, e]) => wrap(`Math.${f}(${e.src})`, `Math.${f}(${e.chk})`)),
    fc
      .tuple(fc.constantFrom('min', 'max'), tie('expr'), tie('expr'))
      .map(([f, l, r]) => wrap(`Math.${f}(${l.src}, ${r.src})`, `Math.${f}(${l.chk}, ${r.chk})`)),
    fc
      .tuple(fc.constantFrom('floor', 'trunc'), tie('expr'), fc.constantFrom('2', '3', '-4'))
      .map(([f, e, d]) => wrap(`Math.${f}(${e.src} / ${d})`, `Math.${f}(${e.chk} / ${d})`)),
  ),
})).expr;

describeWithBackends('property: operator expressions agree with their originals', (backend) => {
  it('on plain numbers exactly, and on int32 and float32 scalar tensors', async function () {
    this.timeout(300_000);
    await fc.assert(
      fc.asyncProperty(
        expression,
        fc.integer({ min: -4, max: 6 }),
        fc.integer({ min: -4, max: 6 }),
        fc.boolean(),
        async (expr, x, y, fractional) => {
          const [a, b] = fractional ? [x + 0.5, y - 0.25] : [x, y];
          let largest = 0;
          const chk = (v: unknown) => {
            if (typeof v === 'number') largest = Math.max(largest, Math.abs(v));
            return v;
          };
          const checked = new Function('a', 'b', 'chk', `return ${expr.chk};`) as (...args: unknown[]) => unknown;
          const expected = checked(a, b, chk);
          // int32 wraps where float64 does not; keep every intermediate value well inside both.
          fc.pre(largest < 1e6);
          const fn = new Function(`return function generated(a, b) { return ${expr.src}; }`)() as (
            a: unknown,
            b: unknown,
          ) => unknown;
          const converted = toGraph(fn);
          expect(await converted(a, b), `plain (a = ${a}, b = ${b}): ${expr.src}`).to.deep.equal(fn(a, b));
          const dtype = fractional ? 'float32' : 'int32';
          const [ta, tb] = [tf.scalar(a, dtype), tf.scalar(b, dtype)];
          try {
            const result = await converted(ta, tb);
            let actual: unknown = result;
            if (result instanceof tf.Tensor) {
              const [value] = await result.data();
              actual = result.dtype === 'bool' ? Boolean(value) : value;
              if (result !== ta && result !== tb) result.dispose();
            }
            const label = `${dtype} tensors (a = ${a}, b = ${b}): ${expr.src}`;
            if (typeof expected === 'boolean') expect(actual, label).to.equal(expected);
            else expect(actual, label).to.be.closeTo(expected as number, 1e-6);
          } finally {
            tf.dispose([ta, tb]);
          }
        },
      ),
      { numRuns: backend === 'webgpu' ? 40 : 200, seed: 5_2026 },
    );
  });
});
