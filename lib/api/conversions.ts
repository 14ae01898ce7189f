// The conversion cache and loaded instances: parse and convert once per source, load once per set of bound values.

import type * as ESTree from 'estree';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';
import type { Mapping } from '../codegen/generate.js';
import { load, type GeneratorFunctionLike, type PlainFunctionLike } from '../codegen/loader.js';
import {
  builtConversionOf,
  markGraphFunction,
  noteBuiltPosition,
  type BuiltConversion,
  type FunctionFacts,
} from './built.js';
import { analysed } from '../operators/analysed.js';
import { codeGenerationAllowed } from '../kernels/js_code.js';
import { ConversionError } from '../errors.js';
import { convertFunction, type ConvertedFunction } from '../converters/index.js';
import * as operators from '../operators/index.js';
import { drive, runPlainFirst, type RunOptions } from '../operators/driver.js';
import { isTensor } from '../operators/tensors.js';
import type { LoopProgress } from '../operators/progress.js';
import { parseFunction, type ParsedFunction } from '../parse/parse_function.js';
import * as calls from './converted_call.js';
import type { CallContext, ConvertedCallee } from './converted_call.js';
import { bindFreeNames, checkFreeWrites } from './free_names.js';
import { loadedCodeAt, registerLoadedCode, type LoadedCodeEntry } from './loaded_code.js';
import { locateError } from './locate_errors.js';
import { checkSignal, type AnyFunction, type ConvertOptions, type GraphFunction } from './options.js';
import { currentMode, GraphCache } from './graph_mode.js';

const isIterator = (value: unknown) =>
  typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function';

/** A loaded back end: called with the runtime, the call context and the bound values; returns the function. */
type Factory<F> = (runtime: unknown, callContext: unknown, ...bindings: unknown[]) => F;

/** Parsing and conversion happen once per source text; loading once per set of bound values. */
export interface Conversion {
  facts: FunctionFacts;
  /** The values the loaded code takes after the runtime and the call context, for `fn` called with `scope`. */
  bind(fn: AnyFunction, scope: Readonly<Record<string, unknown>> | undefined, defaults: Defaults): unknown[];
  /** The plain clone, loaded at once: most functions meet plain values first. */
  plain?: Factory<PlainFunctionLike>;
  /** The staged code, converted and loaded on first need (a tensor, an effect, toCode). */
  staged(): Factory<GeneratorFunctionLike>;
  /** Converted at run time: the parsed source and its conversion, which toCode prints. */
  runtime?: RuntimeConversion;
  /** Converted at build time: what the plugin embedded. */
  built?: BuiltConversion;
  /** Instances loaded from this conversion, most recent last. */
  instances: Instance[];
}

type Defaults = Readonly<Record<string, unknown>>;

/** A conversion made at run time, from the function's source. */
export interface RuntimeConversion {
  parsed: ParsedFunction;
  scopes: ScopeInfo;
  converted: ConvertedFunction;
  /**
   * The registry entries of the loaded code, held here so that the weakly held entries live exactly as
   * long as this conversion.
   */
  entries: LoadedCodeEntry[];
  /** The readable text and mappings of each back end's code, once toCode asked for them. */
  generated?: Partial<Record<'staged' | 'plain', { code: string; mappings: Mapping[] }>>;
}

/** A conversion loaded with one set of bound values and options. */
interface Instance {
  values: unknown[];
  /** The scope option, which callees are converted with: part of what the instance is. */
  scope: Readonly<Record<string, unknown>> | undefined;
  strict: boolean;
  maximumIterations: number | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((progress: LoopProgress) => void) | undefined;
  mode: 'graph' | 'eager' | undefined;
  graph: GraphFunction;
  /** The staged generator function, loaded on first need. */
  staged(): GeneratorFunctionLike;
  plain: PlainFunctionLike | undefined;
  /** An async function's calls return promises: callees run it through `graph`, not inline. */
  async: boolean;
}

const MAX_INSTANCES = 32;
/** The most conversions kept by source text; older ones live on only while their functions do. */
const MAX_BY_SOURCE = 256;
/** The runtime as a plain object: V8 inlines calls through it better than through a module namespace. */
const RUNTIME = Object.freeze({ ...operators, ...calls });
// Converted code may hand the runtime's own functions around (`const f = Math.abs; f(x)` calls `ag__.abs`):
// they run as they are.
for (const value of Object.values(RUNTIME)) if (typeof value === 'function') calls.doNotConvert(value);

/** By function: the same function object is converted once. */
const byFunction = new WeakMap<object, Conversion>();
/**
 * By name and source text, as AutoGraph keys on the code object: closures made afresh (in a loop, or on
 * every render of a component) share one conversion. Least recently used first; bounded.
 */
const bySource = new Map<string, Conversion>();
let loads = 0;

/** How many conversions the source cache holds, for the specs that check it stays bounded. */
export const sourceCacheSize = () => bySource.size;

export function conversionOf(fn: unknown): Conversion {
  const cached = typeof fn === 'function' ? byFunction.get(fn) : undefined;
  if (cached) return cached;
  const built = builtConversionOf(fn);
  if (built) {
    const conversion = fromBuild(built);
    byFunction.set(fn as object, conversion);
    return conversion;
  }
  if (!codeGenerationAllowed()) {
    // A bundle built with csp: true loads no code at run time: say so, rather than fail in `new Function`.
    throw new ConversionError('it was not converted at build time, and this bundle converts nothing at run time.', {
      functionName: (typeof fn === 'function' && fn.name) || '<anonymous>',
      fix:
        'define it where the bundler plugin converts it (marked with toGraph, @convert() or /* @autograph */ in a ' +
        'file of the app), or build without { csp: true } so that it converts when first called.',
    });
  }
  const parsed = parseFunction(fn);
  const key = `${parsed.kind} ${parsed.name}\n${parsed.source}`;
  let conversion = bySource.get(key);
  if (conversion) {
    bySource.delete(key);
  } else {
    conversion = convert(parsed);
    if (bySource.size >= MAX_BY_SOURCE) bySource.delete(bySource.keys().next().value!);
  }
  bySource.set(key, conversion);
  byFunction.set(fn as object, conversion);
  return conversion;
}

/**
 * A conversion from what the plugin embedded. Its code names what it uses lexically, as written, so the
 * only value bound is the function itself (its own name inside, as a declaration's is).
 */
function fromBuild(built: BuiltConversion): Conversion {
  const { name, kind, async, params, usesThis, restartable } = built;
  return {
    facts: { name, kind, async, params, usesThis, restartable },
    bind: (fn) => [fn],
    plain: built.plain,
    // What graph mode would read off the staged code, which the bundle renamed: the build read it first.
    staged: () => (runtime, context, self) => analysed(built.staged(runtime, context, self), built.changes),
    built,
    instances: [],
  };
}

function convert(parsed: ParsedFunction): Conversion {
  // Free names are read off the function as written, before passes add names of their own.
  const scopes = analyzeScopes(parsed.node);
  checkFreeWrites(parsed, scopes);
  const converted = convertFunction(parsed, scopes);
  const freeNames = [...scopes.free.keys(), ...selfName(parsed, scopes)];
  const entries: LoadedCodeEntry[] = [];
  /** Loads one back end's code under a URL of its own, so that a stack frame names the code it is in. */
  const loadAs = <F>(node: ESTree.FunctionExpression, suffix: string): Factory<F> => {
    const base = `autograph:///${encodeURIComponent(parsed.name)}${suffix}`;
    const url = loadedCodeAt(`${base}.js`) ? `${base}~${++loads}.js` : `${base}.js`;
    const loaded = load<F>(node, converted.runtime, converted.callContext, freeNames, url);
    // Functions defined in this code (callbacks, local helpers) are converted with it: calls run them as they are.
    const entry: LoadedCodeEntry = { parsed, code: loaded.code, mappings: loaded.mappings, url };
    registerLoadedCode(entry);
    entries.push(entry);
    return loaded.factory;
  };
  let staged: Factory<GeneratorFunctionLike> | undefined;
  const name = parsed.name;
  return {
    facts: {
      name,
      kind: parsed.kind,
      async: parsed.node.async ?? false,
      params: parsed.node.params.map((p) => (p.type === 'Identifier' ? p.name : '')),
      // An arrow function's `this` is its definition's, whatever a call passes.
      usesThis: parsed.kind !== 'arrow' && scopes.thisExpressions.length > 0,
      restartable: converted.restartable,
    },
    bind(fn, scope, defaults) {
      // A function's own name means the function itself, as it does for a declaration that calls itself.
      const own = scopes.free.has(name) ? { [name]: fn } : {};
      return [
        ...bindFreeNames(parsed, scopes, scope, { ...defaults, ...own }),
        ...selfName(parsed, scopes).map(() => fn),
      ];
    },
    plain: converted.plainNode && loadAs<PlainFunctionLike>(converted.plainNode, '.plain'),
    staged: () => (staged ??= loadAs<GeneratorFunctionLike>(converted.stagedNode(), '')),
    runtime: { parsed, scopes, converted, entries },
    instances: [],
  };
}

/**
 * The function's own name when its body uses it (`fib` calling `fib`): the converted function is
 * anonymous, so the name is bound as a parameter, to the original function, whose calls convert it.
 */
function selfName(parsed: ParsedFunction, scopes: ScopeInfo): string[] {
  const used = scopes.references.some((reference) => reference.binding?.kind === 'self');
  return used && !scopes.free.has(parsed.name) ? [parsed.name] : [];
}

const instancesByGraph = new WeakMap<object, Instance>();

/** Scope options with the same names bound to the same values (two object literals may be the same scope). */
function sameScope(a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined) {
  if (a === b) return true;
  const keysA = Object.keys(a ?? {});
  const keysB = Object.keys(b ?? {});
  return (
    keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b ?? {}, key) && Object.is(a![key], b![key]))
  );
}

/**
 * `fn` converted and loaded with `options`; `defaults` are the values of `tf` and `autograph` unless the
 * scope option names them.
 */
export function graphOf(
  fn: AnyFunction,
  options: ConvertOptions,
  defaults: Readonly<Record<string, unknown>>,
): GraphFunction {
  return instanceOf(fn, options, defaults).graph;
}

function instanceOf(
  fn: AnyFunction,
  { scope, strict = false, maximumIterations, signal, onProgress, mode }: ConvertOptions,
  defaults: Defaults,
): Instance {
  const conversion = conversionOf(fn);
  const { name, async: isAsync, params, usesThis } = conversion.facts;
  const values = conversion.bind(fn, scope, defaults);
  const hit = conversion.instances.find(
    (instance) =>
      sameScope(instance.scope, scope) &&
      instance.strict === strict &&
      instance.maximumIterations === maximumIterations &&
      instance.signal === signal &&
      instance.onProgress === onProgress &&
      instance.mode === mode &&
      instance.values.length === values.length &&
      instance.values.every((v, i) => Object.is(v, values[i])),
  );
  if (hit) return hit;

  /**
   * How converted code converts the functions it calls: with the caller's options, or, for a function
   * toGraph already returned, with that one's own. Async functions run through their promise.
   */
  const { built } = conversion;
  const context: CallContext = {
    caller: name,
    scope,
    strict,
    // Code converted at build time records where it is; an error it raises is located from that.
    locate: built && ((error, at) => noteBuiltPosition(error, built, at)),
    buildTimeOnly: built?.csp === true,
    convert(callee): ConvertedCallee {
      const instance = instancesByGraph.get(callee) ?? instanceOf(callee, { scope, strict }, defaults);
      return {
        name: instance.graph.name,
        async: instance.async,
        staged: instance.staged,
        plain: instance.plain,
        promised: instance.graph,
      };
    },
  };
  const plainClone = conversion.plain?.(RUNTIME, context, ...values);
  let converted: GeneratorFunctionLike | undefined;
  const staged = () => (converted ??= conversion.staged()(RUNTIME, context, ...values));
  const firstPlain = conversion.facts.restartable ? plainClone : undefined;
  const graphs = new GraphCache(name, params, usesThis);
  const call = (thisArg: unknown, args: unknown[], runOptions: RunOptions) => {
    // With tensor arguments the plain clone would almost surely hand over; go staged at once. An iterator
    // argument is used up by one run, so a restart would see it empty: no clone then either.
    let run: Promise<unknown>;
    try {
      if (firstPlain && !args.some((arg) => isTensor(arg) || isIterator(arg))) {
        graphs.lastRun = { how: 'plain' };
        run = runPlainFirst(firstPlain, staged, thisArg, args, name, runOptions);
      } else if ((mode ?? currentMode()) === 'eager') {
        graphs.lastRun = { how: 'eager' };
        run = drive(staged().apply(thisArg, args), name, runOptions);
      } else if (isAsync || args.some(isIterator)) {
        const reason = isAsync
          ? 'an async function may await values from outside, which a replay would not see'
          : 'an iterator argument is used up by one call';
        graphs.lastRun = { how: 'eager', reason };
        run = drive(staged().apply(thisArg, args), name, runOptions);
      } else {
        run = graphs.run(staged, thisArg, args, runOptions);
      }
    } catch (error) {
      // Loading the staged code on first need happens here: whatever goes wrong, the call still rejects.
      run = Promise.reject(error);
    }
    // An abort rejects with the signal's own reason, as it is: it was not raised by the user's code.
    const aborted = (error: unknown) => runOptions.signal?.aborted === true && error === runOptions.signal.reason;
    return run.catch((error: unknown) => Promise.reject(aborted(error) ? error : locateError(error)));
  };
  const runOptions: RunOptions = { maximumIterations, signal, onProgress };
  const graph = function (this: unknown, ...args: unknown[]) {
    return call(this, args, runOptions);
  };
  Object.defineProperty(graph, 'name', { value: name });
  Object.defineProperty(graph, 'original', { value: fn });
  Object.defineProperty(graph, 'graphFor', {
    value: function (this: unknown, ...args: unknown[]) {
      return graphs
        .summary(staged, this, args, runOptions)
        .catch((error: unknown) => Promise.reject(locateError(error)));
    },
  });
  Object.defineProperty(graph, 'lastRun', { get: () => graphs.lastRun });
  Object.defineProperty(graph, 'withSignal', {
    value: (callSignal: AbortSignal) => {
      checkSignal(callSignal, 'withSignal');
      return function (this: unknown, ...args: unknown[]) {
        return call(this, args, { ...runOptions, signal: callSignal });
      };
    },
  });
  const instance: Instance = {
    values,
    scope,
    strict,
    maximumIterations,
    signal,
    onProgress,
    mode,
    graph: graph as unknown as GraphFunction,
    staged,
    plain: plainClone,
    async: isAsync,
  };
  instancesByGraph.set(graph, instance);
  markGraphFunction(graph);
  conversion.instances.push(instance);
  if (conversion.instances.length > MAX_INSTANCES) conversion.instances.shift();
  return instance;
}
