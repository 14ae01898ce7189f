// What code converted at build time imports: the registration helpers, and the names converted code may use unbound.

import { tf } from './operators/tensors.js';
import { autograph } from './index.js';

export { registerBuilt, registerExported, registerMethod } from './api/built.js';
export type { BuiltConversion } from './api/built.js';
/** `tf` and `autograph`, for converted functions that use them without importing them (as run time allows). */
export { tf, autograph };
