// The examples of TensorFlow's AutoGraph announcement, written in JavaScript as users write them.
/* global tf -- a free name: toGraph binds tf by default, and the demo's bundle imports it for the converted code. */

// The Huber loss's threshold. The demo's bundle converts these functions at build time (each marked
// `@autograph`), where names resolve as written; its editor converts edited code at run time, where delta
// comes from the scope option.
const delta = 1.0;

/* @autograph */
export function huberLoss(a) {
  let loss;
  if (tf.abs(a) <= delta) {
    loss = (a * a) / 2;
  } else {
    loss = delta * (tf.abs(a) - delta / 2);
  }
  return loss;
}

/* @autograph */
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

/* @autograph */
export function f(n) {
  if (n >= 0) {
    while (n < 5) {
      n += 1;
      console.log(n);
    }
  }
  return n;
}

// A small network (one tanh layer of 8 units) learns y = sin(x) on [-2, 2] with plain gradient descent, in
// one call: the loop runs over a tensor step count, and the loss is printed every 20 steps.
/* @autograph */
export function trainSine(steps) {
  const xs = tf.linspace(-2, 2, 32).reshape([32, 1]);
  const ys = tf.sin(xs);
  const w1 = tf.variable(tf.randomNormal([1, 8], 0, 1, 'float32', 1));
  const b1 = tf.variable(tf.zeros([8]));
  const w2 = tf.variable(tf.randomNormal([8, 1], 0, 0.5, 'float32', 2));
  const b2 = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.sgd(0.1);
  const predict = (x) => tf.matMul(tf.tanh(tf.matMul(x, w1) + b1), w2) + b2;
  let loss = 0;
  for (let step = 0; step < steps; step++) {
    loss = optimizer.minimize(() => tf.mean(tf.square(predict(xs) - ys)), true);
    if (step % 20 == 0) {
      console.log('step', step, 'loss', loss);
    }
  }
  tf.dispose([w1, b1, w2, b2]);
  optimizer.dispose();
  return loss;
}

// trainSine as the demo runs it: the loss printed every 5 steps (the demo plots those lines), and the
// data with the fitted curve returned beside the loss (the demo plots them too).
/* @autograph */
export function fitSine(steps) {
  const xs = tf.linspace(-2, 2, 32).reshape([32, 1]);
  const ys = tf.sin(xs);
  const w1 = tf.variable(tf.randomNormal([1, 8], 0, 1, 'float32', 1));
  const b1 = tf.variable(tf.zeros([8]));
  const w2 = tf.variable(tf.randomNormal([8, 1], 0, 0.5, 'float32', 2));
  const b2 = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.sgd(0.1);
  const predict = (x) => tf.matMul(tf.tanh(tf.matMul(x, w1) + b1), w2) + b2;
  let loss = 0;
  for (let step = 0; step < steps; step++) {
    loss = optimizer.minimize(() => tf.mean(tf.square(predict(xs) - ys)), true);
    if (step % 5 == 0) {
      console.log('step', step, 'loss', loss);
    }
  }
  const fitted = predict(xs);
  tf.dispose([w1, b1, w2, b2]);
  optimizer.dispose();
  return { loss, xs, ys, fitted };
}
