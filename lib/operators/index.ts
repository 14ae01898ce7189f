// The runtime namespace that converted code reaches through one name (`ag__`); the api adds the
// converted-call family (api/converted_call.ts). Variants follow one scheme: `x` in converted bodies,
// `xPlain` in the plain clone, `xInCallback` inside callbacks, `xUnstaged` where a construct stays native.

export * from './arithmetic.js';
export * from './comparison.js';
export { text } from './tensors.js';
export * from './math.js';
export * from './bitwise.js';
export { isArray, getItem, lengthOf, pathRef, setPath, updatePath, assignPath, unstacked } from './indexing.js';
export {
  ifStmt,
  whileStmt,
  doWhileStmt,
  forStmt,
  forOfStmt,
  keysOf,
  discriminantUnstaged,
  conditionUnstaged,
} from './control_flow.js';
export { consoleCall, consoleCallInCallback, printAdd, printTemplate } from './printing.js';
export { jsonStringify, jsonStringifyInCallback, toStringOf, toStringOfInCallback } from './text.js';
export { and, or, nullish, not, ifExp } from './logical.js';
export { undefinedReturn, retval } from './returns.js';
export {
  conditionPlain,
  consoleAssertPlain,
  consoleCallPlain,
  rethrowInternal,
  toStringOfPlain,
  jsonStringifyPlain,
  iterablePlain,
} from './plain.js';
export { conditionInCallback } from './conditions.js';
export { randomOp } from './random.js';
export { analysed } from './analysed.js';
export { consoleAssert, consoleAssertInCallback } from './asserts.js';
