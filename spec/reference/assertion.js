// TensorFlow AutoGraph's reference test assertion, written in JavaScript: `assert x > 0` becomes
// autograph.assert, or node:assert's assert, which converted code recognises by identity.
import nodeAssert from 'node:assert';
import * as autograph from '../../lib/index.js';

export function simpleAssertion(x) {
  autograph.assert(x > 0);
  return x;
}

export function simpleNodeAssertion(x) {
  nodeAssert(x > 0);
  return x;
}
