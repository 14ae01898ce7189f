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
    const even = await truthy(tf.equal(tf.mod(a, 2), 0));
    const next = even ? tf.floorDiv(a, 2) : tf.add(tf.mul(a, 3), 1);
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
