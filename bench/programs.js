// The benchmarks' programs as users write them, for toGraph: plain JavaScript whose free names toGraph binds.
/* global tf, opt, w, b, wx, wh -- toGraph binds tf by default, the others from options.scope. */
// A module of its own, with tf a free name as in the demo's examples: a bundler (the benchmark page's)
// rewrites `tf.where` in a module that imports tf into a bare `where`, which toGraph could not resolve.

export function collatzAll(a) {
  let steps = tf.zerosLike(a);
  while (tf.any(a != 1)) {
    const active = a != 1;
    a = tf.where(active, tf.where(a % 2 == 0, Math.floor(a / 2), 3 * a + 1), a);
    steps = steps + tf.cast(active, 'int32');
  }
  return steps;
}

export function huber(a, delta) {
  return tf.where(tf.abs(a) <= delta, (a * a) / 2, delta * (tf.abs(a) - delta / 2));
}

/** The Huber loss averaged: a loss a training step reads, the values it averages never needed. */
export function meanHuber(a, delta) {
  return tf.mean(tf.where(tf.abs(a) <= delta, (a * a) / 2, delta * (tf.abs(a) - delta / 2)));
}

/** Linear 784→10 by SGD: scope { opt, w, b }. */
export function train(xs, ys, n) {
  for (let i = 0; i < n; i++) {
    opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, w), b)));
  }
  return tf.sum(w);
}

/** An RNN cell over the time axis of xs: scope { wx, wh, b }. */
export function rnn(xs, h) {
  for (const x of xs) {
    h = tf.tanh(tf.add(tf.add(tf.matMul(x, wx), tf.matMul(h, wh)), b));
  }
  return h;
}

/** Least squares by gradient descent until the loss is at most tol: scope { opt, w }. */
export function fitUntil(xs, ys, tol) {
  let loss = tf.losses.meanSquaredError(ys, tf.matMul(xs, w));
  let steps = 0;
  while (loss > tol) {
    loss = opt.minimize(() => tf.losses.meanSquaredError(ys, tf.matMul(xs, w)), true);
    steps += 1;
  }
  return steps;
}

/** Escape counts of the points cr + i·ci after up to n iterations of z = z² + c (n a tensor: a staged loop). */
export function mandelbrot(cr, ci, n) {
  let zr = tf.zerosLike(cr);
  let zi = tf.zerosLike(ci);
  let count = tf.zerosLike(cr);
  for (let i = 0; i < n; i++) {
    const inside = zr * zr + zi * zi <= 4;
    const nextZr = zr * zr - zi * zi + cr;
    zi = tf.where(inside, 2 * zr * zi + ci, zi);
    zr = tf.where(inside, nextZr, zr);
    count = count + tf.cast(inside, 'float32');
  }
  return count;
}
