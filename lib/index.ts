// tfjs-autograph: convert eager-style JavaScript into TF.js code whose control flow is staged on tensors.

export { toGraph, toCode, convert, type ConvertOptions, type GraphFunction } from './api/to_graph.js';
export { ConversionError, StagingError } from './errors.js';
