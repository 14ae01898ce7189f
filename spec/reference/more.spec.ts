// AutoGraph's logical_expression, basic_ifexp and loop_basic reference cases, in JavaScript.
import * as expr from './expressions.js';
import { referenceCases, type Kind, type ReferenceCase } from './harness.js';
import * as loops from './loop_basic.js';
import * as shapes from './loop_with_variable_type.js';

type Fn = ReferenceCase['fn'];
const KINDS: Kind[] = ['plain', 'tensor'];
const all = (fn: Fn, args: unknown[]): ReferenceCase[] =>
  KINDS.map((kind) => ({ fn, args, kinds: args.map(() => kind) }));
const lists = [[], [1], [1, 2]];

referenceCases('logical_expression', [
  ...all(expr.compositeOrs, [false, true, false]),
  ...all(expr.compositeOrs, [false, false, false]),
  ...all(expr.compositeAnds, [true, true, true]),
  ...all(expr.compositeAnds, [true, false, true]),
  ...all(expr.compositeMixed, [false, true, true]),
  ...all(expr.compositeOrsWithCallable, [false, true, false]),
  ...all(expr.compositeOrsWithCallable, [false, false, true]),
  ...all(expr.compositeOrsWithCallable, [false, false, false]),
  ...[
    [1, 2, 3],
    [2, 1, 3],
    [3, 2, 1],
    [3, 1, 2],
    [1, 3, 2],
    [2, 3, 1],
  ].flatMap((args) => all(expr.comparison, args)),
  ...[
    [1, 1],
    [1, 2],
  ].flatMap((args) => [...all(expr.equality, args), ...all(expr.inequality, args)]),
]);

referenceCases(
  'basic_ifexp',
  [-1, 1, 5].flatMap((x) => [...all(expr.consecutiveConds, [x]), ...all(expr.condWithMultipleValues, [x])]),
);

referenceCases('loop_basic', [
  ...[0, 1, 2].flatMap((n) => [...all(loops.whileOneVar, [n]), ...all(loops.whileTwoVars, [n])]),
  ...lists.flatMap((l) => [...all(loops.forOneVar, [l]), ...all(loops.forTwoVars, [l])]),
  ...[1, 2].map((n) => ({ fn: loops.whileCreatesVar, args: [n], kinds: ['plain'] as Kind[] })),
  // AutoGraph initialises a variable first assigned in a loop that runs at least once; the rule here is
  // the stricter one this library documents.
  ...[1, 2].map((n) => ({
    fn: loops.whileCreatesVar,
    args: [n],
    kinds: ['tensor'] as Kind[],
    error: "'j' must be defined before the loop",
  })),
  ...[0, 1, 2].flatMap((n1) => [0, 1, 2].flatMap((n2) => all(loops.successiveWhileLoops, [n1, n2]))),
  ...lists.flatMap((l1) => lists.flatMap((l2) => all(loops.successiveForLoops, [l1, l2]))),
]);

referenceCases('loop_with_variable_type', [
  ...[0, 1, 2].flatMap((n) => [
    ...all(shapes.whileWithVariableShapeGrowingVector, [n]),
    ...all(shapes.whileWithVariableShapeGrowingMatrixRows, [n]),
    ...all(shapes.whileWithVariableShapeInsideIf, [n]),
    ...all(shapes.whileWithVariableShapeAndBreak, [n]),
  ]),
  ...[5].flatMap((n) => all(shapes.whileWithVariableShapeAndBreak, [n])),
  ...[[], [0], [0, 1]].flatMap((l) => all(shapes.forWithVariableShapeGrowingVector, [l])),
]);
