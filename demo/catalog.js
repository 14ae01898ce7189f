// The examples the demo offers: the function as users write it, its inputs, and a hand-written eager version.
import { collatz, f, fitSine, huberLoss } from './announcement.js';
import { collatzEager, fEager, fitSineEager, huberLossEager } from './eager.js';

export const EXAMPLES = [
  {
    id: 'huber',
    title: 'Huber loss',
    blurb: 'A tensor-dependent if/else: quadratic near zero, linear beyond delta.',
    fn: huberLoss,
    // The function's name in announcement.js, where the demo's editor takes its source text from.
    name: 'huberLoss',
    scope: { delta: 1.0 },
    inputs: ['tf.scalar(9)', 'tf.scalar(0.5)', '9'],
    expected: { 'tf.scalar(9)': 8.5, 'tf.scalar(0.5)': 0.125, 9: 8.5 },
    eager: (a) => huberLossEager(a, 1.0),
    plainOnNumbers: false,
  },
  {
    id: 'collatz',
    title: 'Collatz steps',
    blurb: 'A while loop whose condition is a tensor, with an if inside and integer division.',
    fn: collatz,
    name: 'collatz',
    scope: {},
    inputs: ["tf.scalar(27, 'int32')", 'tf.scalar(27)', '27'],
    expected: { "tf.scalar(27, 'int32')": 111, 'tf.scalar(27)': 111, 27: 111 },
    eager: collatzEager,
    plainOnNumbers: true,
  },
  {
    id: 'print',
    title: 'Loop with console.log',
    blurb: 'A staged while loop nested in a staged if, printing the tensor on each step.',
    fn: f,
    name: 'f',
    scope: {},
    inputs: ["tf.scalar(2, 'int32')", "tf.scalar(-1, 'int32')", '2'],
    expected: { "tf.scalar(2, 'int32')": 5, "tf.scalar(-1, 'int32')": -1, 2: 5 },
    eager: fEager,
    plainOnNumbers: true,
  },
  {
    id: 'training',
    title: 'Training loop',
    blurb:
      'A small network learns sin(x) by gradient descent in one call: a staged loop over a tensor step count, ' +
      'printing the loss every 5 steps; the page plots the printed losses and the fit against the data.',
    fn: fitSine,
    name: 'fitSine',
    scope: {},
    inputs: ["tf.scalar(60, 'int32')", '60'],
    expected: { "tf.scalar(60, 'int32')": 0.0036858, 60: 0.0036858 },
    // The number the expected values are: the loss, of the result { loss, xs, ys, fitted }.
    measure: (value) => value.loss,
    // Float32 tanh, sin and sixty steps of gradient descent round differently on each backend.
    tolerance: 1e-3,
    eager: fitSineEager,
    plainOnNumbers: false,
  },
];
