// The public entry points: toGraph, toCode and the convert() decorator, with the conversion cache.

import type * as ESTree from 'estree';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';
import { generate, type Mapping } from '../codegen/generate.js';
import { sourceMap, type SourceMap } from '../codegen/source_map.js';
import { load, type GeneratorFunctionLike, type LoadedCode, type PlainFunctionLike } from '../codegen/loader.js';
import { convertFunction } from '../converters/index.js';
import { ConversionError } from '../errors.js';
import * as operators from '../operators/index.js';
import {
  registerGeneratedCode,
  setCalleeConverter,
  type CallContext,
  type ConvertedCallee,
} from '../operators/calls.js';
import { drive, runPlainFirst } from '../operators/driver.js';
import { isTensor, tf } from '../operators/tensors.js';
import { parseFunction, toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';
import { bindFreeNames, checkFreeWrites } from './free_names.js';
import { locateError, registerLocatedCode } from './locate_errors.js';
import * as autograph from '../index.js';

export interface ConvertOptions {
  /**
   * Values for the names the function uses but does not declare (closure variables, imports, helpers).
   * `tf` and `autograph` default to the library's own modules; a name given here overrides them.
   */
  scope?: Readonly<Record<string, unknown>>;
  /**
   * When converted code calls a function that cannot be converted, throw the ConversionError instead of
   * warning once and running the function as it is.
   */
  strict?: boolean;
  /**
   * The most iterations a staged loop may run: one that runs longer stops with a StagingError naming the
   * loop, instead of running forever.
   */
  maximumIterations?: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a GraphFunction mirrors any user function's signature. */
type AnyFunction = (...args: any[]) => any;

/** A converted function: called like the original, it returns a promise of the original's result. */
export interface GraphFunction<F extends AnyFunction = AnyFunction> {
  (this: ThisParameterType<F>, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
  /** The function that was converted. */
  readonly original: F;
}

const isIterator = (value: unknown) =>
  typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function';

/** Parsing and conversion happen once per function; loading once per set of bound values. */
interface Conversion {
  parsed: ParsedFunction;
  scopes: ScopeInfo;
  loaded: LoadedCode;
  /** Whether the plain clone may run first (see analysis/effects.ts). */
  restartable: boolean;
  /** The converted function, and its readable text and mappings once toCode asked for them. */
  node: ESTree.FunctionExpression;
  generated?: { code: string; mappings: Mapping[] };
  instances: Instance[];
}

/** A conversion loaded with one set of bound values and options. */
interface Instance {
  values: unknown[];
  strict: boolean;
  maximumIterations: number | undefined;
  graph: GraphFunction;
  staged: GeneratorFunctionLike;
  plain: PlainFunctionLike | undefined;
  /** An async function's calls return promises: callees run it through `graph`, not inline. */
  async: boolean;
}

const MAX_INSTANCES = 32;
/** The runtime as a plain object: V8 inlines calls through it better than through a module namespace. */
const RUNTIME = Object.freeze({ ...operators });
const OPTION_KEYS = new Set(['scope', 'strict', 'maximumIterations']);
const conversions = new WeakMap<object, Conversion>();

function conversionOf(fn: unknown): Conversion {
  const cached = typeof fn === 'function' ? conversions.get(fn) : undefined;
  if (cached) return cached;
  const parsed = parseFunction(fn);
  // Free names are read off the function as written, before passes add names of their own.
  const scopes = analyzeScopes(parsed.node);
  checkFreeWrites(parsed, scopes);
  const converted = convertFunction(parsed, scopes);
  const conversion: Conversion = {
    parsed,
    scopes,
    loaded: load(
      converted.node,
      converted.plainNode,
      converted.runtime,
      converted.callContext,
      [...scopes.free.keys(), ...selfName(parsed, scopes)],
      parsed.name,
    ),
    restartable: converted.restartable,
    node: converted.node,
    instances: [],
  };
  // Functions defined in this code (callbacks, local helpers) are converted with it: calls run them as they are.
  registerGeneratedCode(conversion.loaded.code);
  registerLocatedCode({ parsed, mappings: conversion.loaded.mappings, url: conversion.loaded.url });
  conversions.set(fn as object, conversion);
  return conversion;
}

/**
 * The function's own name when its body uses it (`fib` calling `fib`): the converted function is
 * anonymous, so the name is bound as a parameter, to the original function, whose calls convert it.
 */
function selfName(parsed: ParsedFunction, scopes: ScopeInfo): string[] {
  const used = scopes.references.some((reference) => reference.binding?.kind === 'self');
  return used && !scopes.free.has(parsed.name) ? [parsed.name] : [];
}

function checkOptions(options: unknown, entry: string): ConvertOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${entry}: options must be an object such as { scope: { delta } }, got ${String(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TypeError(`${entry}: unknown option '${key}'. Known options: ${[...OPTION_KEYS].join(', ')}.`);
    }
  }
  const { scope, strict } = options as ConvertOptions;
  if (scope !== undefined && (scope === null || typeof scope !== 'object' || Array.isArray(scope))) {
    throw new TypeError(`${entry}: options.scope must be an object mapping names to values, such as { delta: 1 }.`);
  }
  if (strict !== undefined && typeof strict !== 'boolean') {
    throw new TypeError(`${entry}: options.strict must be true or false.`);
  }
  const { maximumIterations: max } = options as ConvertOptions;
  if (max !== undefined && !(Number.isInteger(max) && max >= 0)) {
    throw new TypeError(`${entry}: options.maximumIterations must be a whole number of iterations, such as 1000.`);
  }
  return options as ConvertOptions;
}

/**
 * Converts `fn` so that its control flow is staged when conditions are tensors. The result is called
 * like `fn` (with the same `this`) and returns a promise: staged conditions are read asynchronously.
 */
export function toGraph<F extends AnyFunction>(fn: F, options?: ConvertOptions): GraphFunction<F> {
  return instanceOf(fn, checkOptions(options, 'toGraph')).graph as GraphFunction<F>;
}

const instancesByGraph = new WeakMap<object, Instance>();

function instanceOf(fn: AnyFunction, { scope, strict = false, maximumIterations }: ConvertOptions): Instance {
  const conversion = conversionOf(fn);
  const name = conversion.parsed.name;
  // A function's own name means the function itself, as it does for a declaration that calls itself.
  const own = conversion.scopes.free.has(name) ? { [name]: fn } : {};
  const values = [
    ...bindFreeNames(conversion.parsed, conversion.scopes, scope, { tf, autograph, ...own }),
    ...selfName(conversion.parsed, conversion.scopes).map(() => fn),
  ];
  const hit = conversion.instances.find(
    (instance) =>
      instance.strict === strict &&
      instance.maximumIterations === maximumIterations &&
      instance.values.length === values.length &&
      instance.values.every((v, i) => Object.is(v, values[i])),
  );
  if (hit) return hit;

  const context: CallContext = { caller: name, scope, strict };
  const [converted, plainClone] = conversion.loaded.factory(RUNTIME, context, ...values);
  const firstPlain = conversion.restartable ? plainClone : undefined;
  const graph = function (this: unknown, ...args: unknown[]) {
    // With tensor arguments the plain clone would almost surely hand over; go staged at once. An iterator
    // argument is used up by one run, so a restart would see it empty: no clone then either.
    const run =
      firstPlain && !args.some((arg) => isTensor(arg) || isIterator(arg))
        ? runPlainFirst(firstPlain, converted, this, args, name, maximumIterations)
        : drive(converted.apply(this, args), name, maximumIterations);
    return run.catch((error: unknown) => Promise.reject(locateError(error)));
  };
  Object.defineProperty(graph, 'name', { value: name });
  Object.defineProperty(graph, 'original', { value: fn });
  const instance: Instance = {
    values,
    strict,
    maximumIterations,
    graph: graph as unknown as GraphFunction,
    staged: converted,
    plain: plainClone,
    async: conversion.parsed.node.async ?? false,
  };
  instancesByGraph.set(graph, instance);
  conversion.instances.push(instance);
  if (conversion.instances.length > MAX_INSTANCES) conversion.instances.shift();
  return instance;
}

/**
 * How converted code converts the functions it calls: with the caller's options, or, for a function
 * toGraph already returned, with that one's own. Async functions run through their promise.
 */
setCalleeConverter((fn, context): ConvertedCallee => {
  const instance = instancesByGraph.get(fn) ?? instanceOf(fn, { scope: context.scope, strict: context.strict });
  return {
    name: instance.graph.name,
    staged: instance.async ? undefined : instance.staged,
    plain: instance.plain,
    promised: instance.graph,
  };
});

/** The converted code with its source map, as `toCode(fn, { sourceMap: true })` returns them. */
export interface CodeWithSourceMap {
  code: string;
  /** Maps each piece of `code` to the line and column of `fn.toString()` it came from. */
  map: SourceMap;
}

/**
 * The converted source of `fn`, as readable JavaScript. Free names need not be bound to read it. With
 * `{ sourceMap: true }`, also a source map from the converted code to the function's own source.
 */
export function toCode(fn: AnyFunction, options?: ConvertOptions & { sourceMap?: false }): string;
export function toCode(fn: AnyFunction, options: ConvertOptions & { sourceMap: true }): CodeWithSourceMap;
export function toCode(
  fn: AnyFunction,
  options?: ConvertOptions & { sourceMap?: boolean },
): string | CodeWithSourceMap {
  const { sourceMap: withMap, ...rest } = (options ?? {}) as ConvertOptions & { sourceMap?: unknown };
  if (withMap !== undefined && typeof withMap !== 'boolean') {
    throw new TypeError('toCode: options.sourceMap must be true or false.');
  }
  checkOptions(options === undefined ? undefined : rest, 'toCode');
  // Generated on first request only: toGraph alone never needs the readable text.
  const conversion = conversionOf(fn);
  if (!conversion.generated) {
    const generated = generate(conversion.node);
    const { parsed } = conversion;
    // Original positions are those of the text acorn parsed; the map points into the function's own source.
    const mappings = generated.mappings.map((mapping) => {
      const position = toSourcePosition(parsed, { line: mapping.originalLine, column: mapping.originalColumn });
      return { ...mapping, originalLine: position.line, originalColumn: position.column };
    });
    conversion.generated = { code: generated.code, mappings };
  }
  const { code, mappings } = conversion.generated;
  if (!withMap) return code;
  const name = conversion.parsed.name;
  return {
    code,
    map: sourceMap(mappings, { name: `${name}.js`, content: conversion.parsed.source }, `${name}.converted.js`),
  };
}

interface DecoratorContext {
  kind: string;
  name: string | symbol;
}

/**
 * A decorator form of toGraph. `convert(options)(fn)` is `toGraph(fn, options)`; `@convert()` works on
 * class methods as a TypeScript 5 standard decorator, and as a legacy (experimentalDecorators) one.
 */
export function convert(options?: ConvertOptions) {
  checkOptions(options, 'convert');
  function decorate<F extends AnyFunction>(fn: F): GraphFunction<F>;
  // As a standard decorator the result replaces the method, whose declared type TypeScript checks it
  // against; a converted method returns a promise, so the result is typed loosely here.
  function decorate(fn: AnyFunction, context: DecoratorContext): any;
  function decorate(target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  function decorate(value: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    if (descriptor !== undefined) {
      if (typeof descriptor.value !== 'function') {
        throw new ConversionError('@convert() decorates methods, not accessors or fields.', {
          functionName: String(context),
          fix: 'move the computation into a method and decorate that.',
        });
      }
      return { ...descriptor, value: toGraph(descriptor.value as AnyFunction, options) };
    }
    if (context && typeof context === 'object' && 'kind' in context) {
      const { kind, name } = context as DecoratorContext;
      if (kind !== 'method') {
        throw new ConversionError(`@convert() decorates methods, but was applied to a ${kind}.`, {
          functionName: String(name),
          fix: 'move the computation into a method and decorate that.',
        });
      }
    }
    return toGraph(value as AnyFunction, options);
  }
  return decorate;
}
