// The plain clone's runtime: guards that hand a run over to the staged function, and buffered printing.

import { needsRead, printPlain } from './printing.js';
import { StagingError } from '../errors.js';
import { isTensor } from './tensors.js';
import { stringifyWith } from './text.js';

/** Thrown by the plain clone when a tensor needs staging; the runtime catches it and restarts staged. */
export const RESTAGE: unique symbol = Symbol('restage');

/** A condition, operand or iterable in the plain clone: itself when plain, a restart when a tensor. */
export function conditionPlain<T>(value: T): T {
  if (typeof value === 'object' && value !== null && (isTensor(value) || isIterator(value))) throw RESTAGE;
  return value;
}

/** The iterable of a for-of loop in the plain clone: a tensor or an iterator restarts the run staged. */
export function iterablePlain<T>(value: T): T {
  conditionPlain(value);
  return checkIterable(value);
}

/** `value` itself when a for-of loop can iterate it; otherwise JavaScript's TypeError, naming the value. */
export function checkIterable<T>(value: T): T {
  if (value != null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return value;
  const shown = value === null || typeof value !== 'object' ? String(value) : 'the object';
  throw new TypeError(
    `${typeof value === 'string' ? JSON.stringify(value) : shown} is not iterable: a for-of loop needs an array, a tensor or another iterable.`,
  );
}

/**
 * The first statement of every catch block in converted code: the plain clone's restage signal and a
 * StagingError are the runtime's, not the user's (lowering/catch_clauses.ts).
 */
export function rethrowInternal(error: unknown): void {
  if (error === RESTAGE || error instanceof StagingError) throw error;
}

/**
 * An iterator (not an array or other re-iterable collection) is used up by the loop that reads it, so a
 * run that restarted after reading it would find it empty: such runs go staged from the start.
 */
const isIterator = (value: object) =>
  typeof (value as { next?: unknown }).next === 'function' &&
  (value as { [Symbol.iterator]?: () => unknown })[Symbol.iterator]?.() === value;

/** The arguments as they are now: a buffered print must not show later changes to an array or object. */
function snapshot(args: unknown[]): unknown[] {
  try {
    return structuredClone(args);
  } catch {
    return args;
  }
}

interface PrintedLine {
  target: unknown;
  method: string;
  args: unknown[];
}

/**
 * The print buffers of the plain runs now on the stack, innermost last. A plain run is synchronous, so
 * only the runs that called each other are here: a converted function that calls another through native
 * code (`[1, 2].map(g)`) has its buffer below g's.
 */
const buffers: PrintedLine[][] = [];

/** Collects what a plain run prints, so that a run abandoned for staging prints nothing. */
export function startPrintBuffer(): void {
  buffers.push([]);
}

/**
 * Ends the innermost run's buffer. Kept (`flush`), its lines join the enclosing run's buffer, in program
 * order, or print when no run encloses it; dropped, they never print.
 */
export function endPrintBuffer(flush: boolean): void {
  const lines = buffers.pop() ?? [];
  if (!flush) return;
  const enclosing = buffers[buffers.length - 1];
  if (enclosing) {
    for (const line of lines) enclosing.push(line);
    return;
  }
  for (const { target, method, args } of lines) printPlain(target, method, args);
}

/** `console.log(...)` in the plain clone: buffered; a tensor argument needs an asynchronous read, so it restages. */
export function consoleCallPlain(target: unknown, method: string, args: unknown[]): void {
  if (needsRead(args)) throw RESTAGE;
  const buffer = buffers[buffers.length - 1];
  if (buffer) buffer.push({ target, method, args: snapshot(args) });
  else printPlain(target, method, args);
}

/** `console.assert(...)` in the plain clone: buffered as any print; a tensor condition restages. */
export function consoleAssertPlain(target: unknown, args: unknown[]): void {
  consoleCallPlain(target, 'assert', args);
}

/** `String(x)` in the plain clone: a tensor needs an asynchronous read, so the run restages. */
export function toStringOfPlain(...args: unknown[]): string {
  const [x] = args;
  if (isTensor(x)) throw RESTAGE;
  return args.length === 0 ? String() : String(x);
}

/** `JSON.stringify(...)` in the plain clone: a tensor anywhere in the value needs a read, so the run restages. */
export function jsonStringifyPlain(...args: unknown[]): string | undefined {
  if (args[0] === null || typeof args[0] !== 'object')
    return JSON.stringify(...(args as Parameters<typeof JSON.stringify>));
  return stringifyWith(args, (item) => {
    if (isTensor(item)) throw RESTAGE;
    return item;
  });
}
