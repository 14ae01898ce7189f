// tfjs-autograph: convert eager-style JavaScript into TF.js code whose control flow is staged on tensors.

import { toCode, toGraph, convert } from './api/to_graph.js';
import { assertNow } from './operators/asserts.js';
import { doNotConvert } from './operators/calls.js';
import { setElementType, stack } from './operators/lists.js';

export {
  toGraph,
  toCode,
  convert,
  type CodeWithSourceMap,
  type ConvertOptions,
  type GraphFunction,
} from './api/to_graph.js';
export type { SourceMap } from './codegen/source_map.js';
export { AssertionError, ConversionError, StagingError } from './errors.js';
export { doNotConvert, setElementType, stack };

/**
 * `autograph.assert(condition, message)`: throws an AssertionError with `message` when `condition` is
 * false. In converted code a tensor condition is read first, so the check runs where a graph would run
 * it; called directly with a tensor, it returns a promise that rejects when the condition is false.
 */
export const assert = assertNow;

// The library's own functions run as they are when converted code calls them.
for (const fn of [toGraph, toCode, convert, doNotConvert, setElementType, stack]) doNotConvert(fn);
