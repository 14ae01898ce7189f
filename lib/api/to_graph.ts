// The public entry points: toGraph, toCode and the convert() decorator, with the conversion cache.

import type * as ESTree from 'estree';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';
import { generate } from '../codegen/generate.js';
import { load, type LoadedCode } from '../codegen/loader.js';
import { convertFunction } from '../converters/index.js';
import { ConversionError } from '../errors.js';
import * as operators from '../operators/index.js';
import { drive, runPlainFirst } from '../operators/driver.js';
import { isTensor, tf } from '../operators/tensors.js';
import { parseFunction, type ParsedFunction } from '../parse/parse_function.js';
import { bindFreeNames, checkFreeWrites } from './free_names.js';
import { locateError } from './locate_errors.js';
import * as autograph from '../index.js';

export interface ConvertOptions {
  /**
   * Values for the names the function uses but does not declare (closure variables, imports, helpers).
   * `tf` and `autograph` default to the library's own modules; a name given here overrides them.
   */
  scope?: Readonly<Record<string, unknown>>;
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
  /** The converted function, and its readable text once toCode asked for it. */
  node: ESTree.FunctionExpression;
  code?: string;
  instances: { values: unknown[]; graph: GraphFunction }[];
}

const MAX_INSTANCES = 32;
/** The runtime as a plain object: V8 inlines calls through it better than through a module namespace. */
const RUNTIME = Object.freeze({ ...operators });
const OPTION_KEYS = new Set(['scope']);
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
    loaded: load(converted.node, converted.plainNode, converted.runtime, [...scopes.free.keys()], parsed.name),
    node: converted.node,
    instances: [],
  };
  conversions.set(fn as object, conversion);
  return conversion;
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
  const { scope } = options as ConvertOptions;
  if (scope !== undefined && (scope === null || typeof scope !== 'object' || Array.isArray(scope))) {
    throw new TypeError(`${entry}: options.scope must be an object mapping names to values, such as { delta: 1 }.`);
  }
  return options as ConvertOptions;
}

/**
 * Converts `fn` so that its control flow is staged when conditions are tensors. The result is called
 * like `fn` (with the same `this`) and returns a promise: staged conditions are read asynchronously.
 */
export function toGraph<F extends AnyFunction>(fn: F, options?: ConvertOptions): GraphFunction<F> {
  const { scope } = checkOptions(options, 'toGraph');
  const conversion = conversionOf(fn);
  const values = bindFreeNames(conversion.parsed, conversion.scopes, scope, { tf, autograph });
  const hit = conversion.instances.find(
    (instance) => instance.values.length === values.length && instance.values.every((v, i) => Object.is(v, values[i])),
  );
  if (hit) return hit.graph as GraphFunction<F>;

  const [converted, plainClone] = conversion.loaded.factory(RUNTIME, ...values);
  const name = conversion.parsed.name;
  const located = { parsed: conversion.parsed, mappings: conversion.loaded.mappings, url: conversion.loaded.url };
  const graph = function (this: unknown, ...args: unknown[]) {
    // With tensor arguments the plain clone would almost surely hand over; go staged at once. An iterator
    // argument is used up by one run, so a restart would see it empty: no clone then either.
    const run =
      plainClone && !args.some((arg) => isTensor(arg) || isIterator(arg))
        ? runPlainFirst(plainClone, converted, this, args, name)
        : drive(converted.apply(this, args), name);
    return run.catch((error: unknown) => Promise.reject(locateError(error, located)));
  };
  Object.defineProperty(graph, 'name', { value: name });
  Object.defineProperty(graph, 'original', { value: fn });
  conversion.instances.push({ values, graph: graph as unknown as GraphFunction });
  if (conversion.instances.length > MAX_INSTANCES) conversion.instances.shift();
  return graph as unknown as GraphFunction<F>;
}

/** The converted source of `fn`, as readable JavaScript. Free names need not be bound to read it. */
export function toCode(fn: AnyFunction, options?: ConvertOptions): string {
  checkOptions(options, 'toCode');
  // Generated on first request only: toGraph alone never needs the readable text.
  const conversion = conversionOf(fn);
  conversion.code ??= generate(conversion.node).code;
  return conversion.code;
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
