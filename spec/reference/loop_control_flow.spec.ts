// AutoGraph's loop_control_flow reference cases: the original on plain values, the converted function on
// plain values, and the converted function on int32 tensors must all agree.
import * as ref from './loop_control_flow.js';
import { referenceCases, type Kind } from './harness.js';

type Fn = (...args: never[]) => unknown;
const LISTS = [[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]];
const NUMBERS = [0, 1, 2, 3, 4];
const MATRICES = [
  [[], []],
  [[1], [2]],
  [
    [1, 2],
    [3, 4],
  ],
  [
    [1, 2, 3],
    [4, 5, 6],
  ],
];

const singleFor: [Fn, boolean][] = [
  [ref.continueInSingleFor, true],
  [ref.breakInSingleFor, true],
  // AutoGraph skips the empty list here: a return inside the loop needs one iteration to define its value.
  [ref.unconditionalReturnInSingleFor, false],
  [ref.effectivelyUnconditionalReturnInSingleFor, false],
];
const singleWhile: [Fn, boolean][] = [
  [ref.continueInSingleWhile, true],
  [ref.breakInSingleWhile, true],
  [ref.multipleBreaksInSingleWhile, true],
  [ref.breakFollowedByCondInSingleWhile, true],
  [ref.unconditionalReturnInSingleWhile, false],
  [ref.effectivelyUnconditionalReturnInSingleWhile, false],
];
const kindsOfList: Kind[] = ['plain', 'tensor'];

referenceCases('loop_control_flow', [
  ...singleFor.flatMap(([fn, empty]) =>
    LISTS.filter((l) => empty || l.length > 0).flatMap((l) =>
      kindsOfList.map((kind) => ({ fn, args: [l], kinds: [kind] })),
    ),
  ),
  ...singleWhile.flatMap(([fn, zero]) =>
    NUMBERS.filter((n) => zero || n > 0).flatMap((n) => kindsOfList.map((kind) => ({ fn, args: [n], kinds: [kind] }))),
  ),
  ...[ref.continueInInnerFor, ref.breakInInnerFor, ref.breakContinueInInnerFor].flatMap((fn) =>
    MATRICES.flatMap((m) =>
      (['plain', 'tensor', 'tensors'] as Kind[]).map((kind) => ({ fn: fn as Fn, args: [m], kinds: [kind] })),
    ),
  ),
  ...[ref.continueInInnerWhile, ref.breakInInnerWhile, ref.breakContinueInInnerWhile].flatMap((fn) =>
    NUMBERS.flatMap((m) =>
      NUMBERS.flatMap((n) => kindsOfList.map((kind) => ({ fn: fn as Fn, args: [m, n], kinds: [kind, kind] }))),
    ),
  ),
  ...NUMBERS.flatMap((y) =>
    kindsOfList.map((kind) => ({ fn: ref.breakFollowedByCondInSingleFor as Fn, args: [3, y], kinds: [kind, kind] })),
  ),
]);
