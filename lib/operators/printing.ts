// console methods called from converted code: tensors print as their JavaScript values, in program order.

import { StagingError } from '../errors.js';
import { add } from './arithmetic.js';
import { isTensor, tensorValue, type Tensor } from './tensors.js';
import { currentTracer } from './tracing.js';

/**
 * Text that holds tensors, built by `+` and template literals inside console arguments: the tensors'
 * values are filled in when the line is printed, as JavaScript's `+` would turn them into text.
 */
export class PendingText {
  constructor(readonly parts: readonly unknown[]) {}

  /** The text, with each tensor's JavaScript value turned into a string as `+` does. */
  async resolve(): Promise<string> {
    const values = await Promise.all(this.parts.map((part) => printable(part)));
    return values.map((value) => String(value)).join('');
  }
}

/** Whether printing `value` needs a read: a tensor, pending text, or either inside arrays and plain objects. */
function holdsTensor(value: unknown, seen = new Set<object>()): boolean {
  if (isTensor(value) || value instanceof PendingText) return true;
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.some((item) => holdsTensor(item, seen));
  return isPlainObject(value) && Object.values(value).some((item) => holdsTensor(item, seen));
}

const isPlainObject = (value: object) => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * `a + b` inside a console argument: JavaScript's `+` (an operator on tensors), except that text meeting
 * a tensor makes pending text rather than an error.
 */
export function printAdd(a: unknown, b: unknown): unknown {
  const text = (v: unknown) => typeof v === 'string' || v instanceof PendingText;
  // Pending text is text: whatever meets it is appended, as a string would be.
  const pending = a instanceof PendingText || b instanceof PendingText;
  if (!pending && !(text(a) && holdsTensor(b)) && !(holdsTensor(a) && text(b))) return add(a, b);
  const parts = (v: unknown) => (v instanceof PendingText ? v.parts : [v]);
  return new PendingText([...parts(a), ...parts(b)]);
}

/** A template literal inside a console argument: a string, or pending text when a part is a tensor. */
export function printTemplate(strings: readonly string[], values: readonly unknown[]): unknown {
  if (!values.some((value) => holdsTensor(value)))
    return strings.reduce((out, piece, i) => out + piece + (i < values.length ? String(values[i]) : ''), '');
  const parts: unknown[] = [];
  strings.forEach((piece, i) => {
    parts.push(piece);
    if (i < values.length)
      parts.push(...(values[i] instanceof PendingText ? (values[i] as PendingText).parts : [values[i]]));
  });
  return new PendingText(parts);
}

/** Whether printing `args` needs a read first. */
export const needsRead = (args: readonly unknown[]) => args.some((arg) => holdsTensor(arg));

/** What a console method prints for `arg`: tensors become their values, also inside arrays and plain objects. */
async function printable(arg: unknown, seen = new Set<object>()): Promise<unknown> {
  if (arg instanceof PendingText) return arg.resolve();
  if (isTensor(arg)) return tensorValue(arg as Tensor);
  // A structure that contains itself prints as it is from the second visit on.
  if (!holdsTensor(arg) || seen.has(arg as object)) return arg;
  seen.add(arg as object);
  if (Array.isArray(arg)) return Promise.all(arg.map((item) => printable(item, seen)));
  const entries = await Promise.all(
    Object.entries(arg as object).map(async ([key, value]) => [key, await printable(value, seen)] as const),
  );
  return Object.fromEntries(entries);
}

/** The values console methods print for `args`: tensors and pending text read, everything else as it is. */
export const printValues = (args: readonly unknown[]): Promise<unknown[]> =>
  Promise.all(args.map((arg) => printable(arg)));

/**
 * Calls `target[method](...args)`. When an argument is a tensor, its value is read asynchronously first
 * (the driver waits), so output keeps program order and nothing reads synchronously.
 */
export function* consoleCall(target: unknown, method: string, args: unknown[]): Generator<unknown, unknown, unknown> {
  const fn = (target as Record<string, (...values: unknown[]) => unknown>)[method]!;
  const tracer = currentTracer();
  // A graph replay prints again, with the values of that call (a branch traced untaken prints nothing now).
  if (tracer && !tracer.effect(consoleCall, [target, method, args], `console.${method}`, true)) return undefined;
  if (!needsRead(args)) return fn.apply(target, args);
  const values = (yield tracer ? tracer.permitRead(() => printValues(args)) : printValues(args)) as unknown[];
  return fn.apply(target, values);
}

/**
 * A console call on plain values made at once, by synchronous code (a callback, a plain run): a graph
 * trace records it as it records the staged prints, so that a replay prints it again.
 */
export function printPlain(target: unknown, method: string, args: unknown[]): unknown {
  const tracer = currentTracer();
  if (tracer && !tracer.effect(consoleCall, [target, method, args], `console.${method}`, true)) return undefined;
  return (target as Record<string, (...values: unknown[]) => unknown>)[method]!(...args);
}

/** A console call inside a callback, which cannot wait: plain values print at once, a tensor is an error. */
export function consoleCallInCallback(target: unknown, method: string, args: unknown[]): unknown {
  if (needsRead(args)) throw syncPrintError(method);
  return printPlain(target, method, args);
}

export function syncPrintError(method: string): StagingError {
  return new StagingError(
    `console.${method} inside a callback gets a tensor, whose value needs an asynchronous read, but the ` +
      'callback runs synchronously because the code that calls it expects a value at once. Print the ' +
      'tensor outside the callback: return it, or collect it in a list and print that after the call.',
  );
}
