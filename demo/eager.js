// Hand-written eager TF.js versions of the announcement examples: what users write without autograph.
// Conditions live on the device, so each one is read with `await ... .data()`, and temporaries are freed by hand.
import * as tf from '@tensorflow/tfjs';

async function truthy(condition) {
  const [value] = await condition.data();
  condition.dispose();
  return value !== 0;
}

export async function huberLossEager(a, delta) {
  const abs = tf.abs(a);
  const small = await truthy(tf.lessEqual(abs, delta));
  const loss = tf.tidy(() => (small ? tf.div(tf.mul(a, a), 2) : tf.mul(delta, tf.sub(abs, delta / 2))));
  abs.dispose();
  return loss;
}

export async function collatzEager(a) {
  let counter = tf.scalar(0, 'int32');
  a = a.clone();
  while (await truthy(tf.notEqual(a, 1))) {
    const even = await truthy(tf.tidy(() => tf.equal(tf.mod(a, 2), 0)));
    const next = tf.tidy(() => (even ? tf.floorDiv(a, 2) : tf.add(tf.mul(a, 3), 1)));
    a.dispose();
    a = next;
    const count = tf.add(counter, 1);
    counter.dispose();
    counter = count;
  }
  a.dispose();
  return counter;
}

export async function fEager(n) {
  n = n.clone();
  if (await truthy(tf.greaterEqual(n, 0))) {
    while (await truthy(tf.less(n, 5))) {
      const next = tf.add(n, 1);
      n.dispose();
      n = next;
      console.log((await n.data())[0]);
    }
  }
  return n;
}

// trainSine without autograph: the step count is read first, and the loss is printed with an explicit read.
export async function trainSineEager(steps) {
  return (await trainEagerly(steps, 20, false)).loss;
}

// fitSine without autograph: the same training, printing every 5 steps and giving the fit too.
export function fitSineEager(steps) {
  return trainEagerly(steps, 5, true);
}

/** The training of trainSine and fitSine, printing the loss every `every` steps; with `fit`, also the fit. */
async function trainEagerly(steps, every, fit) {
  const count = typeof steps === 'number' ? steps : (await steps.data())[0];
  const [xs, ys] = tf.tidy(() => {
    const x = tf.linspace(-2, 2, 32).reshape([32, 1]);
    return [x, tf.sin(x)];
  });
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.randomNormal([1, 8], 0, 1, 'float32', 1)),
    tf.variable(tf.zeros([8])),
    tf.variable(tf.randomNormal([8, 1], 0, 0.5, 'float32', 2)),
    tf.variable(tf.zeros([1])),
  ]);
  const optimizer = tf.train.sgd(0.1);
  const predict = (x) => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2);
  let loss = tf.scalar(0);
  for (let step = 0; step < count; step++) {
    loss.dispose();
    loss = optimizer.minimize(() => tf.mean(tf.square(tf.sub(predict(xs), ys))), true);
    if (step % every === 0) console.log('step', step, 'loss', (await loss.data())[0]);
  }
  const fitted = fit ? tf.tidy(() => predict(xs)) : undefined;
  tf.dispose([w1, b1, w2, b2]);
  optimizer.dispose();
  if (fit) return { loss, xs, ys, fitted };
  tf.dispose([xs, ys]);
  return { loss };
}
