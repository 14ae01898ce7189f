// Warns once when two copies of tfjs-core are loaded, the library's and another, which share one engine.

import * as tf from '@tensorflow/tfjs';

let warned = false;

/**
 * tfjs-core keeps its engine in a global: a second copy (the usual cause: the library installed by path,
 * a symlink into a folder with its own node_modules) finds the first one's, whose environment is then not
 * an instance of this copy's `Environment`. Both copies registering their kernels is what prints
 * "Platform node has already been set" and hundreds of "kernel ... is already registered" lines.
 * True when a second copy was found (and the warning given, once).
 */
export function warnIfAnotherTfjs(): boolean {
  if (tf.env() instanceof tf.Environment) return false;
  if (!warned) {
    warned = true;
    console.warn(
      "tfjs-autograph: two copies of @tensorflow/tfjs are loaded, this library's and another one. This " +
        'happens when the library is installed by path (npm install ../tfjs-autograph links to a folder ' +
        'with its own node_modules). Install it with `npm install --install-links <path>`, or from a ' +
        'tarball made by `npm pack`, so that your code and the library use one @tensorflow/tfjs.',
    );
  }
  return true;
}
