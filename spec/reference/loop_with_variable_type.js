// TensorFlow AutoGraph's reference test loop_with_variable_type, written in JavaScript: loop variables
// whose shape grows from one iteration to the next, which staged loops allow.
// The originals run as written, so they import tf; converted, `tf` binds to the library's tfjs.
import * as tf from '@tensorflow/tfjs';

export function whileWithVariableShapeGrowingVector(n) {
  let v = tf.tensor1d([0, 0], 'int32');
  let i = 0;
  while (i < n) {
    v = tf.concat([v, tf.reshape(tf.cast(i, 'int32'), [1])], 0);
    i += 1;
  }
  return v;
}

export function forWithVariableShapeGrowingVector(l) {
  let v = tf.tensor1d([0, 0], 'int32');
  for (const i of l) {
    v = tf.concat([v, tf.reshape(tf.cast(i, 'int32'), [1])], 0);
  }
  return v;
}

export function whileWithVariableShapeGrowingMatrixRows(n) {
  let m = tf.tensor2d([[0]], [1, 1], 'int32');
  let i = 0;
  while (i < n) {
    m = tf.concat([m, tf.reshape(tf.reshape(tf.cast(i, 'int32'), [1]), [1, 1])], 0);
    i += 1;
  }
  return m;
}

export function whileWithVariableShapeInsideIf(n) {
  let v = tf.tensor1d([0, 0], 'int32');
  let i = 0;
  if (n > 1) {
    while (i < n) {
      v = tf.concat([v, tf.reshape(tf.cast(i, 'int32'), [1])], 0);
      i += 1;
    }
  } else {
    v = tf.tensor1d([1, 2, 3], 'int32');
  }
  return v;
}

export function whileWithVariableShapeAndBreak(n) {
  let v = tf.tensor1d([0, 0], 'int32');
  let i = 0;
  if (n > 1) {
    while (i < n) {
      v = tf.concat([v, tf.reshape(tf.cast(i, 'int32'), [1])], 0);
      i += 1;
      if (i > 3) {
        break;
      }
    }
  } else {
    v = tf.tensor1d([1, 2, 3], 'int32');
  }
  return v;
}
