// TensorFlow AutoGraph's reference tests loop_control_flow_illegal_cases and
// loop_with_variable_type_illegal_cases, written in JavaScript: patterns that must fail with a clear error.
/* global tf */

export function tfBreakInPlainFor(l) {
  let s = 0;
  for (const c of l) {
    if (tf.greater(c % 2, 0)) {
      break;
    }
    s += c;
  }
  return s;
}

export function tfReturnInPlainFor(l) {
  let s = 0;
  for (const c of l) {
    if (tf.greater(c % 2, 0)) {
      return s;
    } else {
      return s;
    }
  }
  return s;
}

export function tfBreakInPlainWhile(x) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    if (tf.greater(x % 2, 0)) {
      break;
    }
    s += x;
  }
  return s;
}

export function whileWithVariablePlainType() {
  const n = tf.scalar(0, 'int32');
  let c = true;
  while (c) {
    c = tf.scalar(true);
  }
  return n;
}

export function whileWithVariableDtype() {
  let n = tf.scalar(0, 'int32');
  while (tf.scalar(true)) {
    n = tf.scalar(0, 'float32');
  }
  return n;
}

export function whileWithVariableDtypeAndEarlyStopping() {
  let n = tf.scalar(0, 'int32');
  while (tf.scalar(true)) {
    n = tf.scalar(0, 'float32');
    break;
  }
  return n;
}

export function forWithVariableDtype(l) {
  let n = tf.scalar(0, 'int32');
  for (const _ of l) {
    n = tf.scalar(0, 'float32');
  }
  return n;
}
