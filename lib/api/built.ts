// Functions converted at build time: what a bundler plugin embeds for each, and how run time checks it.

import { codeFrame } from '../errors.js';
import { forbidCodeGeneration } from '../kernels/js_code.js';
import type { GeneratorFunctionLike, PlainFunctionLike } from '../codegen/loader.js';
import { notePosition } from './locate_errors.js';

/** What a call needs to know about the function, whether converted at run time or at build time. */
export interface FunctionFacts {
  /** The name users know the function by. */
  name: string;
  kind: 'function' | 'arrow' | 'method';
  async: boolean;
  /** The parameters' names as written ('' for a pattern), for the graph summary. */
  params: string[];
  /** Whether the function reads its own `this` (an arrow function's is its definition's). */
  usesThis: boolean;
  /** Whether the plain clone may run first (see analysis/effects.ts). */
  restartable: boolean;
}

/**
 * What the plugin embeds for one function it converted (lib/bundler/): the converted code as factories
 * that the bundler renames and minifies with the rest of the module, and what run time needs to call,
 * print and locate it. Nothing here is parsed or evaluated at run time.
 */
export interface BuiltConversion extends FunctionFacts {
  /** What the staged function may change outside itself (operators/analysed.ts's CHANGES bits). */
  changes: number;
  /** Called with the runtime, the call context and the original function; returns the staged generator. */
  staged: (runtime: unknown, context: unknown, self: unknown) => GeneratorFunctionLike;
  /** The same for the plain clone, when there is one. */
  plain?: (runtime: unknown, context: unknown, self: unknown) => PlainFunctionLike;
  /** The converted code as toCode prints it. */
  code: { staged: string; plain?: string };
  /** The `mappings` of each one's source map (version 3) into `source`, for toCode's `{ sourceMap: true }`. */
  maps: { staged: string; plain?: string };
  /** The module's file, relative to the project's root, as error messages name it. */
  file: string;
  /** Where the function starts in that file: 1-based line, 0-based column. */
  line: number;
  column: number;
  /** The function's own text, for code frames. */
  source: string;
  /**
   * The original positions of the converted code's statements, as line and column pairs in `source`
   * (1-based line, 0-based column): the converted code records the index of the statement it is at, so
   * that an error names the user's line without a stack trace or a source map.
   */
  positions: number[];
  /** Built with `csp: true`: callees not converted at build time run as they are, never through `new Function`. */
  csp?: boolean;
}

/** The build-time conversion of each function a bundle registered, by function object. */
const builtConversions = new WeakMap<object, BuiltConversion>();

export const builtConversionOf = (fn: unknown): BuiltConversion | undefined =>
  typeof fn === 'function' ? builtConversions.get(fn) : undefined;

/** The text of every registered factory, as the bundle has it (renamed and minified like the rest). */
const builtCode: string[] = [];
/** Sources found in it: closures made afresh on every call share theirs. Bounded. */
const foundInBuiltCode = new Set<string>();

/** Whether `source` (a function's text) is a function defined in code converted at build time. */
export function isInBuiltCode(source: string): boolean {
  if (foundInBuiltCode.has(source)) return true;
  const found = builtCode.some((code) => code.includes(source));
  // Only a positive answer is final: code registered later may hold a source not found now.
  if (found) {
    if (foundInBuiltCode.size >= 10_000) foundInBuiltCode.clear();
    foundInBuiltCode.add(source);
  }
  return found;
}

/** The functions toGraph returned: converted already, whether their original was built or not. */
const graphFunctions = new WeakSet<object>();

export const markGraphFunction = (fn: object): void => void graphFunctions.add(fn);

export const isGraphFunction = (fn: unknown): boolean => typeof fn === 'function' && graphFunctions.has(fn);

const KINDS = new Set(['function', 'arrow', 'method']);

/**
 * Registers `fn`'s build-time conversion and returns `fn`: the plugin wraps each function it converted in
 * a call of this. Data that is not what a plugin of this version writes is an error that says to rebuild.
 */
export function registerBuilt<F>(fn: F, built: BuiltConversion): F {
  const ok =
    typeof fn === 'function' &&
    typeof built === 'object' &&
    built !== null &&
    typeof built.name === 'string' &&
    KINDS.has(built.kind) &&
    typeof built.staged === 'function' &&
    typeof built.changes === 'number' &&
    (built.plain === undefined || typeof built.plain === 'function') &&
    Array.isArray(built.positions) &&
    typeof built.maps === 'object';
  if (!ok) {
    throw new TypeError(
      'autograph: a function converted at build time came with data this version of tfjs-autograph does not ' +
        'read. Rebuild the bundle with the plugin of the installed tfjs-autograph.',
    );
  }
  builtConversions.set(fn as object, built);
  // Built for a page that forbids eval: fused kernels must not compile JavaScript either.
  if (built.csp === true) forbidCodeGeneration();
  // Functions defined inside converted code (callbacks, local helpers) are converted with it.
  for (const factory of [built.staged, built.plain])
    if (factory) builtCode.push(Function.prototype.toString.call(factory));
  // A function wrapped where it is defined (`const f = ...`) would lose the name JavaScript infers.
  if ((fn as { name?: string }).name === '' && built.name !== '<anonymous>') {
    Object.defineProperty(fn, 'name', { value: built.name, configurable: true });
  }
  return fn;
}

/**
 * Notes where code converted at build time was when `error` passed through it (`at` is the index of the
 * statement), and returns `error` itself: the call that rejects with it points it at the user's line,
 * as for run-time conversion (api/locate_errors.ts), and a catch on the way sees the error as thrown.
 */
export function noteBuiltPosition(error: unknown, built: BuiltConversion, at: number): unknown {
  if (at < 0 || 2 * at + 1 >= built.positions.length) return error;
  return notePosition(error, () => {
    const relativeLine = built.positions[2 * at]!;
    const relativeColumn = built.positions[2 * at + 1]!;
    return {
      functionName: built.name,
      file: built.file,
      line: built.line + relativeLine - 1,
      column: relativeLine === 1 ? built.column + relativeColumn : relativeColumn,
      frame: codeFrame(built.source, { line: relativeLine, column: relativeColumn }, 2, built.line - 1),
    };
  });
}

/**
 * Registers the build-time conversion of a class's method, then applies the `@convert()` decorator the
 * plugin took off it, if it had one (a method that a converted one calls on `this` has none): from the
 * class's static block, where the method exists and nothing has called it.
 */
export function registerMethod(
  cls: { prototype: object },
  key: string,
  isStatic: boolean,
  decorate: ((target: object, key: string, descriptor: PropertyDescriptor) => PropertyDescriptor | void) | undefined,
  built: BuiltConversion,
): void {
  const target = isStatic ? cls : cls.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (typeof descriptor?.value !== 'function') {
    throw new TypeError(`autograph: ${key} is not a method of its class; rebuild the bundle with the plugin.`);
  }
  registerBuilt(descriptor.value, built);
  if (decorate) Object.defineProperty(target, key, decorate(target, key, descriptor) ?? descriptor);
}

/**
 * Registers the conversion of a function another module exports (`[fn, built, callees]`, or `[fn]` when
 * that module registered it itself), and its callees', for converted code here that calls it; undefined
 * when it has none.
 */
export function registerExported(pair: ExportedPair | undefined): void {
  if (!pair) return;
  const [fn, built, callees] = pair;
  if (!built || builtConversionOf(fn)) return;
  registerBuilt(fn, built);
  for (const callee of callees ?? []) registerExported(callee);
}

/** A function, its conversion, and those of the callees it calls from other modules. */
type ExportedPair = readonly [unknown, BuiltConversion?, (ExportedPair | undefined)[]?];
