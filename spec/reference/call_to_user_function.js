// TensorFlow AutoGraph's reference test call_to_user_function, written in JavaScript: calls to functions
// held in variables, parameters and factories. (JavaScript has no keyword arguments; that case is left out.)
import * as tf from '@tensorflow/tfjs';

export function function1(x) {
  return x * x * x;
}

export function function2(x) {
  return -1 * x + 11;
}

export function factory(n) {
  if (n == 1) {
    return function1;
  }
  return function2;
}

export function staticFn(x) {
  const a = function1(x);
  const b = function2(x);
  return a + b;
}

export function factoryDynamicFn(x) {
  let f = factory(1);
  const a = f(x);
  f = factory(2);
  const b = f(x);
  return a + b;
}

export function paramDynamicFn(f, x) {
  return f(x);
}

export function variableDynamicFn(x) {
  let f = function1;
  const a = f(x);
  f = function2;
  const b = f(x);
  return a + b;
}

export function variableDynamicAllowlistedFn(x) {
  const f = tf.clone;
  return f(x);
}
