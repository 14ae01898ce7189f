// Assertions on tensors: autograph.assert and node:assert's assert and assert.ok stage a check of a tensor
// condition; console.assert keeps its meaning, applied to the tensor's value.

import { AssertionError, locatableErrors, StagingError } from '../errors.js';
import { isTruthy, readCondition } from './conditions.js';
import { currentTracer } from './tracing.js';
import { needsRead, printValues, syncPrintError } from './printing.js';
import { RESTAGE } from './plain.js';
import { isTensor } from './tensors.js';

type AssertFunction = ((value: unknown, message?: unknown) => void) & { ok?: unknown; strict?: unknown };

/**
 * node:assert, where the platform has it: found through process.getBuiltinModule, so a browser build
 * imports no Node module. Its assert and assert.ok are recognised by identity.
 */
const nodeAssert: AssertFunction | undefined = (() => {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return process?.getBuiltinModule?.('node:assert') as AssertFunction | undefined;
  } catch {
    return undefined;
  }
})();

const nodeAsserts = new Set<unknown>(
  nodeAssert
    ? [nodeAssert, nodeAssert.ok, nodeAssert.strict, (nodeAssert.strict as AssertFunction | undefined)?.ok]
    : [],
);

/** Whether `fn` is node:assert's assert or assert.ok (also of assert.strict). */
export const isNodeAssert = (fn: unknown) => nodeAsserts.has(fn);

const reduceHint = 'An assertion checks one value: reduce the condition with tf.all(...) (or tf.any(...)).';

/** The public autograph.assert outside converted code: plain conditions at once, tensors through a read. */
export function assertNow(condition: unknown, message?: unknown): void | Promise<void> {
  if (!isTensor(condition)) {
    if (!condition) throw new AssertionError(messageOf(message));
    return;
  }
  return (async () => {
    if (condition.rank !== 0)
      throw new StagingError(`autograph.assert got a tensor of shape [${condition.shape}]. ${reduceHint}`);
    const [value] = await condition.data();
    if (!isTruthy(condition, value!)) throw new AssertionError(messageOf(message));
  })();
}

const messageOf = (message: unknown) => (message === undefined ? 'Assertion failed' : String(message));

/**
 * `autograph.assert(condition, message)`, or node:assert's `assert(condition, message)` when `fn` is that:
 * a tensor condition is read, and a false one throws the assert's own error with the message.
 */
export function* assertStmt(fn: unknown, condition: unknown, message: unknown): Generator<unknown, void, unknown> {
  const what = isNodeAssert(fn) ? 'assert' : 'autograph.assert';
  const tracer = currentTracer();
  if (tracer && !tracer.effect(assertStmt, [fn, condition, message], what, false)) return;
  const value = isTensor(condition) ? yield* readCondition(condition, `${what}(...)`, reduceHint, true) : condition;
  failUnless(fn, value, message);
}

/** The same in synchronous code: a tensor condition needs a read, so the run restages or fails. */
export function assertPlain(fn: unknown, condition: unknown, message: unknown): void {
  if (isTensor(condition)) throw RESTAGE;
  failUnless(fn, condition, message);
}

function failUnless(fn: unknown, value: unknown, message: unknown): void {
  if (isNodeAssert(fn)) {
    try {
      (fn as AssertFunction)(value, message);
    } catch (error) {
      // node:assert's own AssertionError, with the user's line added by the runtime.
      if (error instanceof Error) locatableErrors.add(error);
      throw error;
    }
    return;
  }
  if (!value) throw new AssertionError(messageOf(message));
}

/**
 * `console.assert(condition, ...data)`: the platform's console.assert, given the tensor condition's value
 * and the data's values. It logs "Assertion failed" when false (Node writes it through console.warn) and
 * does not throw.
 */
export function* consoleAssert(target: unknown, args: unknown[]): Generator<unknown, void, unknown> {
  const [condition, ...data] = args;
  const tracer = currentTracer();
  if (tracer && !tracer.effect(consoleAssert, [target, args], 'console.assert', true)) return;
  const value = isTensor(condition)
    ? yield* readCondition(condition, 'console.assert(...)', reduceHint, true)
    : condition;
  const read = () => printValues(data);
  const values = needsRead(data) ? ((yield tracer ? tracer.permitRead(read) : read()) as unknown[]) : data;
  (target as { assert: (...a: unknown[]) => void }).assert(value, ...values);
}

/** console.assert inside a callback, which cannot wait: a tensor is an error. */
export function consoleAssertInCallback(target: unknown, args: unknown[]): void {
  if (isTensor(args[0]) || needsRead(args.slice(1))) throw syncPrintError('assert');
  (target as { assert: (...a: unknown[]) => void }).assert(...args);
}
