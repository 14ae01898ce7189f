// Calls from converted code (AutoGraph's converted_call): user functions are converted on their first
// call and run inline, so their control flow is staged too; tf, built-ins and native functions run as
// they are; asserts are recognised by identity. Each variant follows the runtime's naming scheme:
// `convertedCall` in converted bodies, `convertedCallPlain` in the plain clone, `convertedCallInCallback`
// inside callbacks.

import { MATH_FUNCTIONS, TF_STATEFUL } from '../analysis/globals.js';
import { ConversionError, StagingError } from '../errors.js';
import { assertNow, assertPlain, assertStmt, isNodeAssert } from '../operators/asserts.js';
import { currentTracer, originalOf, type Tracer } from '../operators/tracing.js';
import { pow } from '../operators/arithmetic.js';
import { arrayMethod, arrayMethodOf, arrayMethodSync, callbackWaits, restage } from '../operators/array_methods.js';
import { checkListMethod, setElementType, stack } from '../operators/lists.js';
import * as math from '../operators/math.js';
import { CALLBACK_HINT } from '../operators/conditions.js';
import { currentCallScope } from '../operators/memory.js';
import { RESTAGE } from '../operators/plain.js';
import { loadedCode } from './loaded_code.js';
import { builtConversionOf, isGraphFunction, isInBuiltCode } from './built.js';
import { isMadeByTf, isTfFunction, isTfNamespaceFunction } from './tf_functions.js';
import { changesObjectsOutside, changesOutside, TENSOR_METHOD_NAMES } from '../graph/local_purity.js';
import { isTensor } from '../operators/tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- calls pass any values through, as JavaScript does. */

/**
 * What the converted code of a call site knows: the caller's options, which its callees inherit, and how
 * to convert a callee with them. The api makes one per loaded instance; the runtime needs nothing else.
 */
export interface CallContext {
  /** The caller's name, for messages. */
  caller: string;
  scope?: Readonly<Record<string, unknown>>;
  /** A callee that cannot be converted is an error rather than a warning. */
  strict?: boolean;
  /** Converts a callee with these options; throws a ConversionError when it cannot. */
  convert(fn: (...args: any[]) => any): ConvertedCallee;
  /**
   * For code converted at build time, which records the index of the statement it is at: notes that
   * position for the error (the call that rejects with it locates it) and returns the error itself.
   */
  locate?: (error: unknown, at: number) => unknown;
  /**
   * Built with `csp: true`: a callee not converted at build time runs as it is (the build warned about
   * it), never through the run-time converter and its `new Function`.
   */
  buildTimeOnly?: boolean;
}

/** A user function, converted for one call context. */
export interface ConvertedCallee {
  name: string;
  /** Async functions return promises: they run through `promised`, never inline. */
  async: boolean;
  /** The staged generator function, loaded on first call. */
  staged: () => (...args: any[]) => Generator<unknown, unknown, unknown>;
  /** A synchronous version (the plain clone), for calls from synchronous callbacks. */
  plain?: (...args: any[]) => unknown;
  /** The converted function as toGraph returns it: called for async functions, which return a promise. */
  promised: (...args: any[]) => Promise<unknown>;
}

type Target =
  | { kind: 'native'; replacement?: (...args: any[]) => unknown }
  | { kind: 'assert' }
  | { kind: 'converted'; callee: ConvertedCallee }
  | { kind: 'bound'; target: any; thisArg: unknown; args: unknown[] }
  | { kind: 'local'; staged?: (...args: any[]) => Generator<unknown, unknown, unknown>; plain?: AnyFunction };

type AnyFunction = (...args: any[]) => unknown;

/**
 * Local functions that converted code passes on, with their converted twins: staged code registers the
 * generator, the plain clone the synchronous copy. A converted callee that calls one runs the twin.
 */
const localTwins = new WeakMap<object, { staged?: any; plain?: AnyFunction }>();

/** Registers the staged twin of the local function `fn` (lowering/local_functions.ts). */
export function registerLocal(fn: object, twin: (...args: any[]) => Generator<unknown, unknown, unknown>): void {
  localTwins.set(fn, { staged: twin });
}

/** Registers the plain clone's twin of the local function `fn`. */
export function registerLocalPlain(fn: object, twin: AnyFunction): void {
  localTwins.set(fn, { plain: twin });
}

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
  [isNaN, math.isNaNOf],
  [isFinite, math.isFiniteOf],
  [Number.isNaN, math.numberIsNaN],
  [Number.isFinite, math.numberIsFinite],
  [Number.isInteger, math.numberIsInteger],
]);

const neverConverted = new WeakSet<object>();
const warned = new Set<string>();
const targets = new WeakMap<CallContext, WeakMap<object, Target>>();

/** `autograph.doNotConvert(fn)`: `fn` runs as it is when converted code calls it. */
export function doNotConvert<F extends (...args: any[]) => any>(fn: F): F {
  if (typeof fn !== 'function') {
    throw new TypeError(`autograph.doNotConvert takes a function, got ${typeof fn}.`);
  }
  neverConverted.add(fn);
  return fn;
}

const isNativeSource = (source: string) => source.endsWith('{ [native code] }') || /^class\b/.test(source);

/** Sources already looked up: closures made afresh on every call share theirs. Bounded. */
const generatedSources = new Map<string, boolean>();

/** Whether `source` is a function defined in converted code (a callback, a local helper): converted already. */
function isGenerated(source: string): boolean {
  let found = generatedSources.get(source);
  if (found === undefined) {
    found = false;
    for (const entry of loadedCode()) if ((found = entry.code.includes(source))) break;
    // Only a positive answer is final: code loaded later may hold a source not found now.
    if (found) {
      if (generatedSources.size >= 10_000) generatedSources.clear();
      generatedSources.set(source, found);
    }
  }
  return found;
}

/** Functions made by `f.bind(...)` in converted code, with what they bind: calls of them convert `f`. */
const boundTargets = new WeakMap<object, { target: any; thisArg: unknown; args: unknown[] }>();

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
  const bound = boundTargets.get(fn);
  if (bound) return { kind: 'bound', ...bound };
  const local = localTwins.get(fn);
  if (local) return { kind: 'local', ...local };
  if (isNodeAssert(fn) || fn === assertNow) return { kind: 'assert' };
  const replacement = BUILTIN_REPLACEMENTS.get(fn);
  if (replacement) return { kind: 'native', replacement };
  if (neverConverted.has(fn) || isTfFunction(fn)) return { kind: 'native' };
  const source = Function.prototype.toString.call(fn);
  const built = builtConversionOf(fn) !== undefined || isGraphFunction(fn);
  if (isNativeSource(source) || isGenerated(source) || (!built && isInBuiltCode(source))) return { kind: 'native' };
  if (context.buildTimeOnly && !built) {
    // The build warned about the callees it could not see; one it could not even name (a method of an
    // object, a function made at run time) is worth one warning here.
    warnOnce(
      fn,
      source,
      `autograph: ${fn.name || 'an anonymous function'}, called from ${context.caller}, runs as it is: it was not ` +
        'converted at build time, and this bundle (built with csp: true) converts nothing at run time, so ' +
        'its control flow is not staged on tensors. Define it in a file the plugin converts, or mark it with ' +
        'autograph.doNotConvert(fn) to silence this.',
    );
    return { kind: 'native' };
  }
  // A generator's call only makes an iterator: there is nothing to stage, so it runs as it is.
  const kind = (fn as { constructor?: { name?: string } }).constructor?.name;
  if (kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction') return { kind: 'native' };
  try {
    return { kind: 'converted', callee: context.convert(fn) };
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    // Functions that tfjs's functions return (tf.grad(f), tf.valueAndGrads(f)) are tfjs's own.
    if (isMadeByTf(source)) return { kind: 'native' };
    if (context.strict) throw error;
    warnOnce(
      fn,
      source,
      `autograph: ${fn.name || 'an anonymous function'}, called from ${context.caller}, runs as it is, so its ` +
        `control flow is not staged on tensors. It cannot be converted: ${error.problem.replace(/\.$/, '')}. ` +
        `To convert it: ${error.fix ?? 'see the ConversionError for the fix.'} (Names the callee needs come ` +
        `from the scope option of the toGraph call that converted ${context.caller}.) To silence this, mark ` +
        'it with autograph.doNotConvert(fn); the option { strict: true } makes it an error.',
    );
    return { kind: 'native' };
  }
}

/** Warns once per callee: closures made afresh on every call share their source, and one warning. */
function warnOnce(fn: { name?: string }, source: string, message: string): void {
  const key = `${fn.name}\n${source}`;
  if (warned.has(key)) return;
  if (warned.size >= 10_000) warned.clear();
  warned.add(key);
  console.warn(message);
}

function notAFunction(fn: unknown, label: string): never {
  throw new TypeError(`${label} is not a function (it is ${fn === null ? 'null' : typeof fn})`);
}

const { call: FUNCTION_CALL, apply: FUNCTION_APPLY, bind: FUNCTION_BIND } = Function.prototype;

/** `f.call(t, ...args)` and `f.apply(t, args)` on a function: the call of `f` they stand for. */
function directCall(object: any, key: PropertyKey, args: unknown[]) {
  if (typeof object !== 'function') return undefined;
  const method: unknown = object[key];
  if (method === FUNCTION_CALL) return { fn: object, thisArg: args[0], args: args.slice(1) };
  if (method !== FUNCTION_APPLY) return undefined;
  const list = args[1];
  return { fn: object, thisArg: args[0], args: list == null ? [] : Array.from(list as ArrayLike<unknown>) };
}

/** `f.bind(t, ...args)`: bound as JavaScript binds, and remembered, so that calls of the result convert `f`. */
function bindCall(object: any, key: PropertyKey, args: unknown[]): unknown {
  if (typeof object !== 'function' || object[key] !== FUNCTION_BIND) return undefined;
  const bound = FUNCTION_BIND.apply(object, args as [unknown, ...unknown[]]);
  boundTargets.set(bound, { target: object, thisArg: args[0], args: args.slice(1) });
  return bound;
}

/** tf's functions and tensor methods that change state outside the call, or read values. */
const TF_CHANGING: ReadonlySet<string> = new Set([
  ...TF_STATEFUL,
  'assign',
  'time',
  'data',
  'dataSync',
  'array',
  'arraySync',
  'bytes',
  'buffer',
  'bufferSync',
  'toString',
]);

/**
 * A call while a graph trace records. Outside staged branches, it must not change objects the code did not
 * make (checkObjectChanges). Inside a branch of a staged if, a call must be known to change nothing outside the
 * call besides tf's own state, which the trace records: a replay that takes the other branch could not
 * undo it, nor one that takes this branch repeat it. Known are tf's functions, Math's and the built-ins'
 * (a built-in method that changes an array or map the branch did not make is caught from the code, in
 * graph/local_purity.ts), and converted functions whose code changes nothing outside them (their own calls
 * are checked as they run). In a branch traced without being taken, tf's functions must also leave tf's
 * state alone: only its ops and tensor methods that compute are known there.
 */
function checkCallWhileTracing(target: Target, fn: any, thisArg: unknown, label: string): void {
  const tracer = currentTracer();
  if (!tracer) return;
  if (!tracer.inStagedBranch) return checkObjectChanges(tracer, target, fn, label);
  let known: boolean;
  if (target.kind === 'native') {
    if (target.replacement !== undefined) known = true;
    else if (isTfFunction(fn)) {
      known =
        !tracer.tracingUntaken ||
        (!TF_CHANGING.has(String(fn.name)) && (isTensor(thisArg) ? true : isTfNamespaceFunction(fn)));
    } else known = isNativeSource(Function.prototype.toString.call(fn));
  } else if (target.kind === 'converted') {
    known = !target.callee.async && !changesOutside(target.callee.staged());
  } else {
    // Local functions are checked as they are called (localCall); asserts are recorded, not run.
    known = true;
  }
  if (!known) {
    tracer.fail(
      `a branch of a staged if calls ${label}, which may change something outside it that a replay taking ` +
        'either branch would not',
    );
  }
}

const LIST_FUNCTIONS: ReadonlySet<unknown> = new Set([setElementType, stack]);

/**
 * Anywhere in a graph trace, a called user function must not change an object it did not make (an
 * argument, `this`, an object from outside): a replay runs tf's kernels, not the function's JavaScript,
 * so the change would happen on the traced call only. Converted functions are read from their code
 * (graph/local_purity.ts); functions that run as they are (doNotConvert, or not convertible) from theirs,
 * where any call of another function counts as a change. tf's functions and the built-ins are known.
 */
function checkObjectChanges(tracer: Tracer, target: Target, fn: any, label: string): void {
  // The library's list functions: setElementType records the list's dtype, the same on every call, and
  // stack makes a new tensor; neither changes anything a replay would need to repeat.
  if (LIST_FUNCTIONS.has(fn)) return;
  let changes = false;
  if (target.kind === 'converted') changes = changesObjectsOutside(target.callee.staged());
  else if (target.kind === 'native' && target.replacement === undefined && !isTfFunction(fn)) {
    const source = Function.prototype.toString.call(fn);
    changes = !isNativeSource(source) && !isGenerated(source) && !isMadeByTf(source) && changesOutside(fn);
  }
  if (changes) {
    tracer.fail(
      `it calls ${label}, which changes an object it did not make (an argument, this, or an object from ` +
        'outside), and a replay would not repeat that',
    );
  }
}

/**
 * `list.reverse()` or `set.add(x)` while a graph trace records: the code reading of graph/local_purity.ts
 * lets these names pass, since tensors have methods of the same names; the receiver says which it is.
 * Whether the array or set is the function's own is not known here, so either way the trace stops.
 */
function checkTracedMutation(object: unknown, key: PropertyKey, label: string): void {
  if (typeof key !== 'string' || !TENSOR_METHOD_NAMES.has(key)) return;
  const tracer = currentTracer();
  if (!tracer || !(Array.isArray(object) || object instanceof Set || ArrayBuffer.isView(object))) return;
  tracer.fail(`it calls ${label}, which changes an array or set in place, and a replay would not repeat that`);
}

/** `fn(...args)` in converted code. */
export function* convertedCall(
  context: CallContext,
  fn: any,
  thisArg: unknown,
  args: unknown[],
  label = 'callee',
): Generator<unknown, unknown, unknown> {
  if (typeof fn !== 'function') notAFunction(fn, label);
  // A trace's stand-in for one of tf's methods is called, as tf's own.
  const original = originalOf(fn);
  const target = targetOf(original, context);
  if (target.kind === 'bound') {
    return yield* convertedCall(context, target.target, target.thisArg, [...target.args, ...args], label);
  }
  checkCallWhileTracing(target, original, thisArg, label);
  if (target.kind === 'native') return (target.replacement ?? fn).apply(thisArg, args);
  if (target.kind === 'local') {
    currentTracer()?.localCall(target.staged ?? fn);
    return target.staged ? yield* target.staged.apply(thisArg, args) : fn.apply(thisArg, args);
  }
  if (target.kind === 'assert') return yield* assertStmt(fn, args[0], args[1]);
  const { async, staged, promised } = target.callee;
  return async ? promised.apply(thisArg, args) : yield* staged().apply(thisArg, args);
}

/** `object.key(...args)` in converted code: `this` is the object, and lists in staged loops are checked. */
export function* convertedMethodCall(
  context: CallContext,
  object: any,
  key: PropertyKey,
  args: unknown[],
): Generator<unknown, unknown, unknown> {
  const label = `${describeObject(object)}.${String(key)}`;
  const direct = directCall(object, key, args);
  if (direct) return yield* convertedCall(context, direct.fn, direct.thisArg, direct.args, label);
  const bound = bindCall(object, key, args);
  if (bound) return bound;
  const scope = currentCallScope();
  checkListMethod(object, key, scope, (scope?.stagedLoops ?? 0) > 0);
  checkTracedMutation(object, key, label);
  const reading = arrayMethodOf(object, key);
  if (reading) return yield* arrayMethod(object, reading, args);
  return yield* convertedCall(context, object[key], object, args, label);
}

/**
 * A call in synchronous code (the plain clone, or a callback): callees run their synchronous version.
 * Where a callee would have to wait for a tensor, the restage signal goes up to whoever can handle it.
 */
export function convertedCallPlain(
  context: CallContext,
  fn: any,
  thisArg: unknown,
  args: unknown[],
  label = 'callee',
): unknown {
  if (typeof fn !== 'function') notAFunction(fn, label);
  const target = targetOf(fn, context);
  if (target.kind === 'bound') {
    return convertedCallPlain(context, target.target, target.thisArg, [...target.args, ...args], label);
  }
  if (target.kind === 'native') return (target.replacement ?? fn).apply(thisArg, args);
  if (target.kind === 'local') return (target.plain ?? fn).apply(thisArg, args);
  if (target.kind === 'assert') return assertPlain(fn, args[0], args[1]);
  const { plain, async, promised } = target.callee;
  // An async function returns its promise, as it would unconverted; only a synchronous one can restage.
  if (async) return promised.apply(thisArg, args);
  if (!plain) throw RESTAGE;
  return plain.apply(thisArg, args);
}

export function convertedMethodCallPlain(
  context: CallContext,
  object: any,
  key: PropertyKey,
  args: unknown[],
): unknown {
  const label = `${describeObject(object)}.${String(key)}`;
  const direct = directCall(object, key, args);
  if (direct) return convertedCallPlain(context, direct.fn, direct.thisArg, direct.args, label);
  const bound = bindCall(object, key, args);
  if (bound) return bound;
  const reading = arrayMethodOf(object, key);
  if (reading) return arrayMethodSync(object, reading, args, restage);
  return convertedCallPlain(context, object[key], object, args, label);
}

/** A call inside a callback: as convertedCallPlain, but a callee that would have to wait is an error. */
export function convertedCallInCallback(
  context: CallContext,
  fn: any,
  thisArg: unknown,
  args: unknown[],
  callback = 'a callback',
): unknown {
  try {
    return convertedCallPlain(context, fn, thisArg, args);
  } catch (error) {
    if (error !== RESTAGE) throw error;
    throw new StagingError(
      `${fn === assertNow ? 'autograph.assert' : fn?.name || 'A function'} is called from ${callback} and meets a tensor where it would have to wait (a ` +
        `tensor condition in an if, a loop, ?:, && or ||, or printing or asserting a tensor). ${CALLBACK_HINT}`,
    );
  }
}

export function convertedMethodCallInCallback(
  context: CallContext,
  object: any,
  key: PropertyKey,
  args: unknown[],
  callback?: string,
): unknown {
  const direct = directCall(object, key, args);
  if (direct) return convertedCallInCallback(context, direct.fn, direct.thisArg, direct.args, callback);
  const bound = bindCall(object, key, args);
  if (bound) return bound;
  const reading = arrayMethodOf(object, key);
  if (reading) return arrayMethodSync(object, reading, args, callbackWaits(reading));
  return convertedCallInCallback(context, object[key], object, args, callback);
}

function describeObject(object: unknown): string {
  if (object === null || object === undefined) return String(object);
  const name = (object as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `(a ${name})` : '(an object)';
}

/** A call from converted code to the converted twin of a local function, run inline. */
export function* callLocal(
  twin: (...args: unknown[]) => Generator<unknown, unknown, unknown>,
  thisArg: unknown,
  args: unknown[],
): Generator<unknown, unknown, unknown> {
  currentTracer()?.localCall(twin);
  return yield* twin.apply(thisArg, args);
}

/** The same in the plain clone, whose twins are synchronous. */
export function callLocalPlain(twin: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
  return twin.apply(thisArg, args);
}
