// TensorFlow AutoGraph's reference test call_to_lambda_function, written in JavaScript with arrow functions.

export function inlineLambda(x) {
  const l = (x) => (x > 0 ? x * x : -x);
  return l(x);
}

export function externalLambda(x, l) {
  return l(x);
}
