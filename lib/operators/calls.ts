// Calls from converted code: user functions are converted on their first call and run inline, so their
// control flow is staged too (AutoGraph's converted_call); tf, built-ins and native functions run as
// they are; asserts are recognised by identity.

import { ConversionError, StagingError } from '../errors.js';
import { assertNow, assertPlain, assertStmt, isNodeAssert } from './asserts.js';
import { pow } from './arithmetic.js';
import { checkListMethod } from './lists.js';
import * as math from './math.js';
import { MATH_FUNCTIONS } from './math.js';
import { currentCallScope } from './memory.js';
import { RESTAGE } from './plain.js';
import { isTensor, tf } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- calls pass any values through, as JavaScript does. */

/** What the converted code of a call site knows: the caller's options, which its callees inherit. */
export interface CallContext {
  /** The caller's name, for messages. */
  caller: string;
  scope?: Readonly<Record<string, unknown>>;
  /** A callee that cannot be converted is an error rather than a warning. */
  strict?: boolean;
}

/** A user function, converted for one call context. */
export interface ConvertedCallee {
  name: string;
  /** The staged generator function; undefined for async functions, which run through `promised`. */
  staged?: (...args: any[]) => Generator<unknown, unknown, unknown>;
  /** A synchronous version (the plain clone), for calls from synchronous callbacks. */
  plain?: (...args: any[]) => unknown;
  /** The converted function as toGraph returns it: called for async functions, which return a promise. */
  promised: (...args: any[]) => Promise<unknown>;
}

type Target =
  | { kind: 'native'; replacement?: (...args: any[]) => unknown }
  | { kind: 'assert' }
  | { kind: 'converted'; callee: ConvertedCallee };

/**
 * Built-ins that work on tensors when written as calls (`Math.abs(x)`), for when they are passed around as
 * values (`xs.map(Math.abs)`, `fn = Math.max`): the runtime's versions take their place.
 */
const BUILTIN_REPLACEMENTS = new Map<unknown, (...args: any[]) => unknown>([
  ...MATH_FUNCTIONS.map(
    (name) => [(Math as unknown as Record<string, unknown>)[name], (math as Record<string, any>)[name]] as const,
  ),
  [Math.pow, pow],
  [Number, math.toNumber],
  [Boolean, math.toBoolean],
]);

let convertCallee: ((fn: (...args: any[]) => any, context: CallContext) => ConvertedCallee) | undefined;

/** Installed by the api: how a callee is converted (the operators do not depend on the api). */
export function setCalleeConverter(converter: typeof convertCallee): void {
  convertCallee = converter;
}

const neverConverted = new WeakSet<object>();
const warned = new Set<string>();
let tfFunctions: WeakSet<object> | undefined;
const targets = new WeakMap<CallContext, WeakMap<object, Target>>();

/** `autograph.doNotConvert(fn)`: `fn` runs as it is when converted code calls it. */
export function doNotConvert<F extends (...args: any[]) => any>(fn: F): F {
  if (typeof fn !== 'function') {
    throw new TypeError(`autograph.doNotConvert takes a function, got ${typeof fn}.`);
  }
  neverConverted.add(fn);
  return fn;
}

/** Functions that belong to tfjs: its namespaces' functions and the methods of the classes it exports. */
function isTfFunction(fn: object): boolean {
  if (!tfFunctions) {
    const found = new WeakSet<object>();
    const seen = new Set<unknown>();
    const visit = (value: unknown, depth: number): void => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
      seen.add(value);
      if (typeof value === 'function') {
        found.add(value);
        for (
          let proto = value.prototype as object | null;
          proto && proto !== Object.prototype;
          proto = Object.getPrototypeOf(proto)
        ) {
          for (const key of Object.getOwnPropertyNames(proto)) {
            const method = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
            if (typeof method === 'function') found.add(method);
          }
        }
      }
      if (depth < 3 && (typeof value === 'object' || depth === 0)) {
        for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
      }
    };
    visit(tf, 0);
    tfFunctions = found;
  }
  return tfFunctions.has(fn);
}

const isNativeSource = (source: string) => source.endsWith('{ [native code] }') || /^class\b/.test(source);

/** The code the loader has evaluated: functions defined in it (callbacks, local helpers) are converted already. */
const generatedCode = new Set<string>();

/** Called by the loader with each piece of code it evaluates. */
export function registerGeneratedCode(code: string): void {
  generatedCode.add(code);
  // A source not found before may be in this code.
  for (const [source, found] of generatedSources) if (!found && code.includes(source)) generatedSources.delete(source);
}

/** Sources already looked up: closures made afresh on every call share theirs. */
const generatedSources = new Map<string, boolean>();

const isGenerated = (source: string) => {
  let found = generatedSources.get(source);
  if (found === undefined) {
    found = [...generatedCode].some((code) => code.includes(source));
    if (generatedSources.size > 10_000) generatedSources.clear();
    generatedSources.set(source, found);
  }
  return found;
};

function targetOf(fn: any, context: CallContext): Target {
  let cache = targets.get(context);
  if (!cache) targets.set(context, (cache = new WeakMap()));
  const cached = cache.get(fn);
  if (cached) return cached;
  const target = classify(fn, context);
  cache.set(fn, target);
  return target;
}

function classify(fn: any, context: CallContext): Target {
  if (isNodeAssert(fn) || fn === assertNow) return { kind: 'assert' };
  const replacement = BUILTIN_REPLACEMENTS.get(fn);
  if (replacement) return { kind: 'native', replacement };
  if (neverConverted.has(fn) || isTfFunction(fn) || !convertCallee) return { kind: 'native' };
  const source = Function.prototype.toString.call(fn);
  if (isNativeSource(source) || isGenerated(source)) return { kind: 'native' };
  try {
    return { kind: 'converted', callee: convertCallee(fn, context) };
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    if (context.strict) throw error;
    // Closures made afresh on every call share their source: one warning for all of them.
    const key = `${fn.name}\n${source}`;
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(
        `autograph: ${fn.name || 'an anonymous function'}, called from ${context.caller}, runs as it is, so its ` +
          `control flow is not staged on tensors. It cannot be converted: ${error.problem.replace(/\.$/, '')}. ` +
          `To convert it: ${error.fix ?? 'see the ConversionError for the fix.'} (Names the callee needs come ` +
          `from the scope option of the toGraph call that converted ${context.caller}.) To silence this, mark ` +
          'it with autograph.doNotConvert(fn); the option { strict: true } makes it an error.',
      );
    }
    return { kind: 'native' };
  }
}

function notAFunction(fn: unknown, label: string): never {
  throw new TypeError(`${label} is not a function (it is ${fn === null ? 'null' : typeof fn})`);
}

/** `fn(...args)` in converted code. */
export function* call(
  context: CallContext,
  fn: any,
  thisArg: unknown,
  args: unknown[],
  label = 'callee',
): Generator<unknown, unknown, unknown> {
  if (typeof fn !== 'function') notAFunction(fn, label);
  const target = targetOf(fn, context);
  if (target.kind === 'native') return (target.replacement ?? fn).apply(thisArg, args);
  if (target.kind === 'assert') return yield* assertStmt(fn, args[0], args[1]);
  const { staged, promised } = target.callee;
  return staged ? yield* staged.apply(thisArg, args) : promised.apply(thisArg, args);
}

/** `object.key(...args)` in converted code: `this` is the object, and lists in staged loops are checked. */
export function* callMethod(
  context: CallContext,
  object: any,
  key: PropertyKey,
  args: unknown[],
): Generator<unknown, unknown, unknown> {
  const fn = object[key];
  const scope = currentCallScope();
  checkListMethod(object, key, scope, (scope?.stagedLoops ?? 0) > 0);
  return yield* call(context, fn, object, args, `${describeObject(object)}.${String(key)}`);
}

/**
 * A call in synchronous code (the plain clone, or a callback): callees run their synchronous version.
 * Where a callee would have to wait for a tensor, the restage signal goes up to whoever can handle it.
 */
export function callPlain(context: CallContext, fn: any, thisArg: unknown, args: unknown[], label = 'callee'): unknown {
  if (typeof fn !== 'function') notAFunction(fn, label);
  const target = targetOf(fn, context);
  if (target.kind === 'native') return (target.replacement ?? fn).apply(thisArg, args);
  if (target.kind === 'assert') return assertPlain(fn, args[0], args[1]);
  const { plain, staged, promised } = target.callee;
  // An async function returns its promise, as it would unconverted; only a synchronous one can restage.
  if (!staged) return promised.apply(thisArg, args);
  if (!plain) throw RESTAGE;
  return plain.apply(thisArg, args);
}

export function callMethodPlain(context: CallContext, object: any, key: PropertyKey, args: unknown[]): unknown {
  return callPlain(context, object[key], object, args, `${describeObject(object)}.${String(key)}`);
}

const syncHint =
  'A callback runs synchronously, because the code that calls it expects a value at once, so it cannot wait ' +
  'for a tensor. Move that control flow out of the callback, or compute with tf.where(condition, a, b).';

/** A call inside a callback: as callPlain, but a callee that would have to wait is an error. */
export function callSync(
  context: CallContext,
  fn: any,
  thisArg: unknown,
  args: unknown[],
  callback = 'a callback',
): unknown {
  try {
    return callPlain(context, fn, thisArg, args);
  } catch (error) {
    if (error !== RESTAGE) throw error;
    throw new StagingError(
      `${fn === assertNow ? 'autograph.assert' : fn?.name || 'A function'} is called from ${callback} and meets a tensor where it would have to wait (a ` +
        `tensor condition in an if, a loop, ?:, && or ||, or printing or asserting a tensor). ${syncHint}`,
    );
  }
}

export function callMethodSync(
  context: CallContext,
  object: any,
  key: PropertyKey,
  args: unknown[],
  callback?: string,
): unknown {
  return callSync(context, object[key], object, args, callback);
}

/** The condition of an if, loop, ?:, && or || inside a callback: a tensor there is an error. */
export function callbackCondition(value: unknown, callback: string): unknown {
  if (!isTensor(value)) return value;
  throw new StagingError(`A tensor is the condition of control flow inside ${callback}. ${syncHint}`);
}

function describeObject(object: unknown): string {
  if (object === null || object === undefined) return String(object);
  const name = (object as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `(a ${name})` : '(an object)';
}
