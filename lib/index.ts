// tfjs-autograph: convert eager-style JavaScript into TF.js code whose control flow is staged on tensors.

import { doNotConvert } from './api/converted_call.js';
import { convertWith } from './api/decorator.js';
import { toCode } from './api/to_code.js';
import { toGraphWith } from './api/to_graph.js';
import { setFusion, setMode } from './api/graph_mode.js';
import { AssertionError, ConversionError, StagingError } from './errors.js';
import { assertNow } from './operators/asserts.js';
import { setElementType, stack } from './operators/lists.js';
import { tf } from './operators/tensors.js';
import { warnIfAnotherTfjs } from './platform/tfjs_copies.js';

export type { CodeWithSourceMap, ToCodeOptions } from './api/to_code.js';
export type {
  ConvertOptions,
  GraphFunction,
  Staged,
  StagedCall,
  StagedParameters,
  StagedResult,
} from './api/options.js';
export type { GraphSummary } from './graph/render.js';
export type { LastRun, Mode } from './api/graph_mode.js';
export type { SourceMap } from './codegen/source_map.js';
export type { LoopProgress } from './operators/progress.js';
export {
  AssertionError,
  ConversionError,
  StagingError,
  doNotConvert,
  setElementType,
  setFusion,
  setMode,
  stack,
  toCode,
};

/**
 * `autograph.assert(condition, message)`: throws an AssertionError with `message` when `condition` is
 * false. In converted code a tensor condition is read first, so the check runs where a graph would run
 * it; called directly with a tensor, it returns a promise that rejects when the condition is false.
 */
export const assert = assertNow;

/** The names converted code sees unless the scope option names them: tf, and this module as `autograph`. */
const defaults: Record<string, unknown> = { tf };

/**
 * Converts `fn` so that its control flow is staged when conditions are tensors. The result is called
 * like `fn` (with the same `this`) and returns a promise: staged conditions are read asynchronously.
 */
export const toGraph = toGraphWith(defaults);

/**
 * A decorator form of toGraph. `convert(options)(fn)` is `toGraph(fn, options)`; `@convert()` works on
 * class methods as a TypeScript 5 standard decorator, and as a legacy (experimentalDecorators) one.
 */
export const convert = convertWith(toGraph);

/**
 * The library as one namespace, as converted code sees it: `import { autograph } from 'tfjs-autograph'`
 * lets code outside converted functions write `autograph.doNotConvert(fn)` as code inside them does.
 */
export const autograph = Object.freeze({
  toGraph,
  toCode,
  convert,
  assert,
  doNotConvert,
  setElementType,
  stack,
  setMode,
  setFusion,
  AssertionError,
  ConversionError,
  StagingError,
});

defaults.autograph = autograph;

// The library's own functions run as they are when converted code calls them.
for (const fn of [toGraph, toCode, convert, doNotConvert, setElementType, setMode, setFusion, stack]) doNotConvert(fn);

// A second copy of tfjs loaded before this one (an install by path) is worth one warning, at import.
warnIfAnotherTfjs();
