// TensorFlow AutoGraph's reference test loop_created_variables, written in JavaScript: loops that create
// the variable they return. TF.js takes shapes as plain numbers only, so the dynamic-shape and
// dynamic-rank variants take their shape from the loop counter instead of from a random tensor.
import * as tf from '@tensorflow/tfjs';

export function whileCreatesVarStaticShape(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = tf.zeros([1, 2, 3]);
    i += 1;
  }
  return v;
}

export function whileCreatesVarDynamicShape(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = tf.zeros([1, i + 1, 2]);
    i += 1;
  }
  return v;
}

export function whileCreatesVarDynamicRank(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = tf.zeros(Array.from({ length: i + 1 }, () => 1));
    i += 1;
  }
  return v;
}

export function whileCreatesVarDynamicShapeFromCounter(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = tf.range(0, i + 1);
    i += 1;
  }
  return v;
}

export function whileCreatesNestedVarStaticShape(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = { a: tf.zeros([1, 2, 3]), b: tf.ones([1, 2, 3]) };
    i += 1;
  }
  return v === undefined ? undefined : [v.a, v.b];
}

export function whileCreatesNestedVarDynamicShape(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = { a: tf.zeros([1, i + 1]), b: tf.ones([i + 1, 2]) };
    i += 1;
  }
  return v === undefined ? undefined : [v.a, v.b];
}

export function whileCreatesNestedVarDynamicRank(n) {
  let i = 0;
  let v;
  while (i < n) {
    v = { a: tf.ones(Array.from({ length: i + 1 }, () => 1)), b: tf.ones([1, 2, 3]) };
    i += 1;
  }
  return v === undefined ? undefined : [v.a, v.b];
}
