// The examples of TensorFlow's AutoGraph announcement, written in JavaScript as users write them.
/* global tf, delta -- free names: toGraph binds tf by default and delta from options.scope. */

export function huberLoss(a) {
  let loss;
  if (tf.abs(a) <= delta) {
    loss = (a * a) / 2;
  } else {
    loss = delta * (tf.abs(a) - delta / 2);
  }
  return loss;
}

export function collatz(a) {
  let counter = 0;
  while (a != 1) {
    if (a % 2 == 0) {
      a = Math.floor(a / 2);
    } else {
      a = 3 * a + 1;
    }
    counter = counter + 1;
  }
  return counter;
}

export function f(n) {
  if (n >= 0) {
    while (n < 5) {
      n += 1;
      console.log(n);
    }
  }
  return n;
}
