// AutoGraph's cond_basic, early_return and nested_control_flow reference cases, in JavaScript.
import * as cond from './cond_basic.js';
import * as early from './early_return.js';
import * as nested from './nested_control_flow.js';
import { referenceCases, type Kind, type ReferenceCase } from './harness.js';

type Fn = ReferenceCase['fn'];
const KINDS: Kind[] = ['plain', 'tensor'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Every combination of the given values, each passed plain and as a tensor (the same kind for all). */
const grid = (fn: Fn, ...values: unknown[][]): ReferenceCase[] => {
  const combos = values.reduce<unknown[][]>((all, options) => all.flatMap((a) => options.map((o) => [...a, o])), [[]]);
  return combos.flatMap((args) => KINDS.map((kind) => ({ fn, args, kinds: args.map(() => kind) })));
};

referenceCases('cond_basic', [
  ...[cond.ifOneVar, cond.ifElseOneVar, cond.ifTwoVars, cond.ifElseTwoVars].flatMap((fn) => grid(fn, [0, 1])),
  ...grid(cond.ifElseCreatesVar, [true, false]),
  ...[cond.ifLocalVar, cond.ifElseLocalVar, cond.ifLocallyModifiedVar].flatMap((fn) => grid(fn, [true, false])),
  ...[cond.successiveIfs, cond.successiveIfElses, cond.nestedIfs, cond.nestedIfElses].flatMap((fn) =>
    grid(fn, [0, 1], [0, 1]),
  ),
  // A variable or result left undefined on the branch not taken is what JavaScript gives there, on tensors
  // too (AutoGraph's graphs refuse these).
  ...grid(cond.ifCreatesVar, [true, false]),
  ...grid(cond.elseCreatesVar, [true, false]),
  ...grid(cond.nestedIfTemporarilyUndefinedReturn, [true, false], [true, false]),
]);

referenceCases('early_return', [
  ...grid(early.returnWithDefault, [0, 1]),
  ...grid(early.nestedIfs, [-1, 3, 6]),
  ...grid(early.returnPossiblyUndefined, [0, 3, 5]),
  ...grid(early.possibleReturnBeforeLoop, [true, false], [true, false], [0, 1, 2]),
  ...grid(early.returnInTryWithFinally, [0, 1]),
  ...grid(early.returnWithDefaultInTryWithFinally, [0, 1]),
]);

referenceCases('nested_control_flow', [
  ...grid(nested.independentIfs, [-1, 1], [-1, 1]),
  ...grid(nested.dependentInnerIf, [-1, 1]),
  ...grid(nested.dependentImbalancedInnerIf, [-1, 1]),
  ...[nested.independentInnerFor, nested.dependentInnerFor].flatMap((fn) =>
    [0, 1, 2].flatMap((a) =>
      [0, 1, 2].flatMap((b) => KINDS.map((kind) => ({ fn, args: [range(a), range(b)], kinds: [kind, kind] }))),
    ),
  ),
  ...[nested.independentInnerWhile, nested.dependentInnerWhile].flatMap((fn) => grid(fn, [0, 1, 2], [0, 1, 2])),
  ...[0, 1, 2].flatMap((a) => KINDS.map((kind) => ({ fn: nested.ifInFor, args: [range(a)], kinds: [kind] }))),
  ...grid(nested.whileContinueInTry, [0, 4, 10]),
  ...grid(nested.whileBreakInTry, [0, 4, 10]),
  ...[1, 2].map((n) => ({ fn: nested.loopInitializingVariantVariable, args: [n], kinds: ['plain'] as Kind[] })),
  ...[0, 1, 2].map((n) => ({
    fn: nested.loopInitializingVariantVariable,
    args: [n],
    kinds: ['tensor'] as Kind[],
    error: "'a' must be defined before the loop",
  })),
]);
