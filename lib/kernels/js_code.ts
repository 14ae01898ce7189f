// Generates the JavaScript loop of a fused kernel, for the cpu and wasm backends: one pass over the elements.

import {
  broadcastOf,
  isOpStep,
  powerOfTwoDivisor,
  type Elementwise,
  type OpStep,
  type Scalar,
  type Step,
} from './elementwise.js';

/**
 * Each kernel as tfjs's CPU kernel computes one element, in doubles: `$0`.. are its arguments, `$name` its
 * attributes. The value is then stored as its dtype's typed array would store it (see `stored`), which is
 * what makes a fused kernel give, bit for bit, what the kernels it replaces give one by one.
 */
const TEMPLATES: Record<string, string> = {
  Add: '$0 + $1',
  Sub: '$0 - $1',
  Multiply: '$0 * $1',
  RealDiv: '$0 / $1',
  FloorDiv: 'Math.floor($0 / $1)',
  Mod: 'mod($0, $1)',
  Maximum: 'Math.max($0, $1)',
  Minimum: 'Math.min($0, $1)',
  Pow: 'Math.pow($0, $1)',
  SquaredDifference: '($0 - $1) * ($0 - $1)',
  Equal: '($0 === $1) | 0',
  NotEqual: '($0 !== $1) | 0',
  Less: '($0 < $1) | 0',
  LessEqual: '($0 <= $1) | 0',
  Greater: '($0 > $1) | 0',
  GreaterEqual: '($0 >= $1) | 0',
  LogicalAnd: '$0 & $1',
  LogicalOr: '$0 | $1',
  LogicalNot: '(!$0) | 0',
  // Through memory, not a branch: on data a branch predictor cannot guess, a branch costs more than the
  // rest of the element (the Huber loss runs 4x faster so). Bool values are 0 or 1.
  Select: '((S[1] = $1), (S[0] = $2), S[$0])',
  Abs: 'Math.abs($0)',
  Neg: '$0 * -1',
  Square: '$0 * $0',
  Sign: '$0 < 0 ? -1 : $0 > 0 ? 1 : 0',
  Exp: 'Math.exp($0)',
  Log: 'Math.log($0)',
  Sqrt: 'Math.sqrt($0)',
  Rsqrt: '1 / Math.sqrt($0)',
  Reciprocal: '1 / $0',
  Sin: 'Math.sin($0)',
  Cos: 'Math.cos($0)',
  Tanh: 'Math.tanh($0)',
  Sigmoid: '1 / (1 + Math.exp(-$0))',
  Relu: 'Math.max(0, $0)',
  Elu: '$0 >= 0 ? $0 : Math.exp($0) - 1',
  Floor: 'Math.floor($0)',
  Ceil: 'Math.ceil($0)',
  Round: 'round($0)',
  IsNan: '($0 !== $0) | 0',
  ClipByValue: '$0 > $clipValueMax ? $clipValueMax : $0 < $clipValueMin ? $clipValueMin : $0',
  LeakyRelu: '$0 < 0 ? $alpha * $0 : $0',
};

/**
 * Helpers the templates call: the two values a select picks from, and as tfjs's CPU kernels define them, a
 * remainder with the sign of the divisor, and rounding half to even.
 */
export const JS_PRELUDE = [
  'const F = Math.fround;',
  'const S = new Float64Array(2);',
  'const mod = (a, b) => { const r = a % b; return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b; };',
  'const round = (x) => { const f = Math.floor(x); const d = x - f; return d < 0.5 ? f : d > 0.5 ? Math.ceil(x) : f % 2 === 0 ? f : f + 1; };',
].join('\n');

/** A number as JavaScript source that reads back as the same double. */
export function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value < 0 ? `(${String(value)})` : String(value);
}

/** Fills `template`'s placeholders: `$k` with argument k, `$name` with attribute `name`. */
export function fill(template: string, args: readonly string[], attrs: Record<string, string> = {}): string {
  return template.replace(/\$(\d+|[A-Za-z]+)/g, (_, key: string) => {
    const value = /^\d+$/.test(key) ? args[Number(key)] : attrs[key];
    if (value === undefined) throw new Error(`fused kernel template '${template}' has no value for $${key}`);
    return value;
  });
}

/** A value computed in doubles, as a typed array of `dtype` stores it. */
function stored(expression: string, dtype: Scalar): string {
  if (dtype === 'float32') return `F(${expression})`;
  if (dtype === 'int32') return `(${expression}) | 0`;
  return expression;
}

function opExpression(step: OpStep, names: readonly string[], steps: readonly Step[]): string {
  const args = step.args.map((k) => names[k]!);
  const shift = powerOfTwoDivisor(step, steps);
  if (shift !== undefined) return step.op === 'FloorDiv' ? `${args[0]} >> ${shift}` : `${args[0]} & ${2 ** shift - 1}`;
  if (step.op === 'Cast') {
    // A cast to float32 keeps the values as they are (tfjs shares the data); to int32 it truncates.
    if (step.dtype === 'bool') return `(${args[0]} !== 0) | 0`;
    return step.dtype === 'int32' ? stored(args[0]!, 'int32') : args[0]!;
  }
  const template = TEMPLATES[step.op];
  if (!template) throw new Error(`fused kernels have no JavaScript for kernel ${step.op}`);
  const attrs = Object.fromEntries(Object.entries(step.attrs ?? {}).map(([k, v]) => [k, numberLiteral(Number(v))]));
  return stored(fill(template, args, attrs), step.dtype);
}

/** The index input elements of `shape` are read at, for element `i` of `outShape`; null for one value. */
export function jsIndex(shape: readonly number[], outShape: readonly number[]): string | null {
  const broadcast = broadcastOf(shape, outShape);
  if (broadcast.kind === 'one') return null;
  if (broadcast.kind === 'same') return 'i';
  return broadcast.dims
    .map((d, j) => `(Math.floor(i / ${broadcast.outStrides[j]}) % ${d}) * ${broadcast.strides[j]}`)
    .join(' + ');
}

/**
 * The statements that compute `steps`, one `const` per kernel named `prefix` and its position; `leaf` names
 * inputs and carried values. Gives the statements and every step's name.
 */
export function jsSteps(
  steps: readonly Step[],
  leaf: (step: Step) => string,
  prefix: string,
): { lines: string[]; names: string[] } {
  const names: string[] = [];
  const lines: string[] = [];
  steps.forEach((step, s) => {
    if (step.op === 'literal') names.push(numberLiteral((step as { value: number }).value));
    else if (isOpStep(step)) {
      names.push(`${prefix}${s}`);
      lines.push(`const ${prefix}${s} = ${opExpression(step, names, steps)};`);
    } else names.push(leaf(step));
  });
  return { lines, names };
}

/** The source of `(inputs, out, start, end) => void`, which computes elements start to end of the output. */
export function javascriptSource(expression: Elementwise): string {
  const before: string[] = [];
  const each: string[] = [];
  expression.inputs.forEach((input, k) => {
    before.push(`const in${k} = inputs[${k}];`);
    const index = jsIndex(input.shape, expression.shape);
    if (index === null) before.push(`const x${k} = in${k}[0];`);
    else each.push(`const x${k} = in${k}[${index}];`);
  });
  const { lines, names } = jsSteps(expression.steps, (step) => `x${(step as { input: number }).input}`, 'v');
  const result = names[names.length - 1]!;
  return [
    JS_PRELUDE,
    'return function fusedLoop(inputs, out, start, end) {',
    ...before,
    '  for (let i = start; i < end; i++) {',
    ...[...each, ...lines].map((line) => `    ${line}`),
    `    out[i] = ${result};`,
    '  }',
    '};',
  ].join('\n');
}

type Loop = (inputs: ArrayLike<number>[], out: { [i: number]: number }, start: number, end: number) => void;

/** Generated functions, by the key of what they compute: each is compiled once. */
const compiled = new Map<string, unknown>();

/**
 * Whether fused kernels may compile JavaScript with `new Function`. A bundle converted at build time with
 * `csp: true` says no (a Content Security Policy without 'unsafe-eval' would refuse it): graphs then
 * fuse only on webgpu, into WGSL, and the CPU runs tfjs's own kernels.
 */
let codeGeneration = true;

export function forbidCodeGeneration(): void {
  codeGeneration = false;
}

export const codeGenerationAllowed = (): boolean => codeGeneration;

/** The function that `source()` returns, compiled (with `new Function`) the first time `key` is asked for. */
export function compileOnce<F>(key: string, source: () => string): F {
  let fn = compiled.get(key);
  if (!fn) {
    try {
      if (!codeGeneration) throw new EvalError('code generation is off');
      fn = new Function(source())();
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      codeGeneration = false;
      throw new Error(
        'autograph: a fused kernel could not be compiled, since this page does not allow `new Function` (its ' +
          "Content Security Policy has no 'unsafe-eval'). Build the app with the plugin's { csp: true }, " +
          'which fuses kernels only where no JavaScript needs compiling, or call setFusion(false).',
        { cause: error },
      );
    }
    compiled.set(key, fn);
  }
  return fn as F;
}

/** The loop of `expression`, compiled once per expression key. */
export const javascriptLoop = (expression: Elementwise): Loop =>
  compileOnce(`elementwise ${expression.key}`, () => javascriptSource(expression));
