// Facts about JavaScript's globals that both the converter and the runtime rely on; no tfjs here.

/**
 * The standard ECMAScript globals and `console`. Nothing else resolves from `globalThis`: in a browser,
 * names such as `name`, `top` or `status` would otherwise bind silently to `window`.
 */
export const STANDARD_GLOBALS: ReadonlySet<string> = new Set([
  'globalThis', 'Infinity', 'NaN', 'undefined',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent',
  'AggregateError', 'Array', 'ArrayBuffer', 'Atomics', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean',
  'DataView', 'Date', 'Error', 'EvalError', 'FinalizationRegistry', 'Float32Array', 'Float64Array', 'Function',
  'Int8Array', 'Int16Array', 'Int32Array', 'Intl', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Promise', 'Proxy',
  'RangeError', 'ReferenceError', 'Reflect', 'RegExp', 'Set', 'SharedArrayBuffer', 'String', 'Symbol', 'SyntaxError',
  'TypeError', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'URIError', 'WeakMap', 'WeakRef',
  'WeakSet',
  'console',
]); // prettier-ignore

/** The Math functions that also work on tensors; each has a runtime operator of the same name. */
export const MATH_FUNCTIONS = [
  'abs', 'sign', 'floor', 'ceil', 'round', 'trunc', 'sqrt', 'cbrt', 'exp', 'expm1', 'log', 'log1p', 'log2',
  'log10', 'min', 'max', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'hypot',
] as const; // prettier-ignore

/**
 * tf's ops that draw random values on the CPU, outside any kernel. Converted code calls them through the
 * runtime's `randomOp`, so that a graph trace records how to draw again on every replay.
 */
export const TF_RANDOM_OPS: ReadonlySet<string> = new Set([
  'randomNormal',
  'randomUniform',
  'randomUniformInt',
  'randomGamma',
  'randomStandardNormal',
  'truncatedNormal',
]);

/**
 * tf's functions that change state outside a call, which a second run, or a replay that did not run them,
 * would see: disposing, keeping, variables, printing, settings, loading.
 */
export const TF_STATEFUL: ReadonlySet<string> = new Set([
  'print',
  'dispose',
  'disposeVariables',
  'keep',
  'variable',
  'setBackend',
  'removeBackend',
  'registerBackend',
  'engine',
  'env',
  'enableProdMode',
  'enableDebugMode',
  'profile',
  'nextFrame',
  'browser',
  'io',
  'loadLayersModel',
  'loadGraphModel',
]);
