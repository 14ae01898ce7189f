// The runtime namespace that converted code reaches through one name (`ag__`).

export * from './arithmetic.js';
export * from './comparison.js';
export { text } from './tensors.js';
export * from './math.js';
export * from './bitwise.js';
export { isArray, getItem, lengthOf, pathRef, setPath, updatePath, assignPath } from './indexing.js';
export {
  ifStmt,
  whileStmt,
  doWhileStmt,
  forStmt,
  forOfStmt,
  keysOf,
  nativeSwitch,
  unstagedCondition,
} from './control_flow.js';
export { consoleCall, consoleSync, printAdd, printTemplate } from './printing.js';
export { and, or, nullish, not, ifExp } from './logical.js';
export { undefinedReturn, retval } from './returns.js';
export { plain, consoleNow } from './plain.js';
export { call, callMethod, callPlain, callMethodPlain, callSync, callMethodSync, callbackCondition } from './calls.js';
export { consoleAssert, consoleAssertSync } from './asserts.js';
