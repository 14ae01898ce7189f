// tf's random ops called from converted code: a graph trace records how to draw their values again.

import { currentTracer } from './tracing.js';
import { isTensor, type Tensor } from './tensors.js';

/**
 * `tf.<randomOp>(...args)`. In a graph trace the draw is recorded as a node that draws again on every
 * replay, with the same arguments: fresh values each call, the same ones for a seed.
 */
export function randomOp(op: (...args: unknown[]) => Tensor, name: string, args: unknown[]): Tensor {
  const tracer = currentTracer();
  // Tensor arguments would be the trace's own; such a draw is left to the tracer's Math.random check.
  if (!tracer || args.some((arg) => isTensor(arg))) return op(...args);
  return tracer.random(() => op(...args), name, args);
}
