// AutoGraph's reference tests for asserts, lists, printing, calls and composite names, in JavaScript.
import nodeAssert from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { AssertionError, toGraph } from '../../lib/index.js';
import { describeWithBackends, expectNoLeaks } from '../helpers/backends.js';
import * as assertion from './assertion.js';
import * as lists from './basic_list.js';
import * as builtins from './call_to_builtin_function.js';
import * as lambdas from './call_to_lambda_function.js';
import * as prints from './call_to_print_function.js';
import * as calls from './call_to_user_function.js';
import * as composite from './composite_names_in_control_flow.js';
import { referenceCases, type Kind, type ReferenceCase } from './harness.js';
import * as loops from './loop_with_function_call.js';

type Fn = ReferenceCase['fn'];
const both = (fn: Fn, args: unknown[], kinds: Kind[][], scope?: Record<string, unknown>): ReferenceCase[] =>
  kinds.map((k) => ({ fn, args, kinds: k, scope }));
const plainAndTensor = (fn: Fn, args: unknown[], scope?: Record<string, unknown>) =>
  both(fn, args, [args.map(() => 'plain' as Kind), args.map(() => 'tensor' as Kind)], scope);

const assertScope = { nodeAssert };
referenceCases('assertion', [
  ...plainAndTensor(assertion.simpleAssertion, [1]),
  ...plainAndTensor(assertion.simpleNodeAssertion, [1], assertScope),
  { fn: assertion.simpleAssertion, args: [0], kinds: ['tensor'], error: 'Assertion failed' },
  { fn: assertion.simpleNodeAssertion, args: [0], kinds: ['tensor'], error: 'x > 0', scope: assertScope },
]);

describeWithBackends('reference: assertion on plain values', () => {
  it('a false plain condition throws the assert function’s own error', async () => {
    const error = await toGraph(assertion.simpleAssertion)(0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(AssertionError);
    const nodeError = await toGraph(assertion.simpleNodeAssertion, { scope: assertScope })(0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(nodeError).to.be.instanceOf(nodeAssert.AssertionError);
  });
});

referenceCases('basic_list', [
  ...plainAndTensor(lists.typeNotAnnotated, [3]),
  { fn: lists.elementAccess, args: [], kinds: [] },
  { fn: lists.elementUpdate, args: [], kinds: [] },
  ...plainAndTensor(lists.simpleFill, [5]),
  ...plainAndTensor(lists.simpleFill, [0]),
  ...plainAndTensor(lists.nestedFill, [5, 3]),
  { fn: lists.readWriteLoop, args: [4], kinds: ['plain'] },
  // A JavaScript array cannot be indexed by a tensor without reading it: a staged loop's counter is one.
  { fn: lists.readWriteLoop, args: [4], kinds: ['tensor'], error: 'indexed with a tensor' },
  ...[0, 2, 4].flatMap((n) => plainAndTensor(lists.simpleEmpty, [n])),
  { fn: lists.mutation, args: [new Array(10).fill(0), 10], kinds: ['plain', 'plain'] },
  { fn: lists.mutation, args: [new Array(10).fill(0), 10], kinds: ['tensor', 'plain'] },
  { fn: lists.mutation, args: [new Array(10).fill(0), 10], kinds: ['tensor', 'tensor'] },
]);

referenceCases('call_to_print_function', [
  ...plainAndTensor(prints.lonePrint, [1]),
  ...plainAndTensor(prints.lonePrint, [[1, 2, 3]]),
  ...plainAndTensor(prints.printMultipleValues, [[1, 2, 3]]),
  ...plainAndTensor(prints.multiplePrints, [[1, 2, 3], 4]),
  ...plainAndTensor(prints.printWithNonTensorValues, [[1, 2, 3]]),
  ...[0, 1].flatMap((x) => plainAndTensor(prints.printInCond, [x])),
]);

const userScope = { function1: calls.function1, function2: calls.function2, factory: calls.factory };
referenceCases('call_to_user_function', [
  ...plainAndTensor(calls.staticFn, [1], userScope),
  ...plainAndTensor(calls.factoryDynamicFn, [1], userScope),
  ...both(
    calls.paramDynamicFn,
    [calls.function1, 1],
    [
      ['plain', 'plain'],
      ['plain', 'tensor'],
    ],
  ),
  ...plainAndTensor(calls.variableDynamicFn, [1], userScope),
  { fn: calls.variableDynamicAllowlistedFn, args: [1], kinds: ['tensor'] },
]);

referenceCases('call_to_lambda_function', [
  // An arrow function that the converted function defines and calls is converted with it, as AutoGraph
  // converts lambdas: its tensor condition is staged.
  ...plainAndTensor(lambdas.inlineLambda, [1]),
  ...both(
    lambdas.externalLambda,
    [1, (x: number) => x == 0],
    [
      ['plain', 'plain'],
      ['tensor', 'plain'],
    ],
  ),
]);

referenceCases('call_to_builtin_function', [
  ...plainAndTensor(builtins.dictCall, [1]),
  ...plainAndTensor(builtins.lenCall, [[1, 2]]),
  ...plainAndTensor(builtins.dictCallAliased, [1]),
  ...plainAndTensor(builtins.lenCallAliased, [[1, 2]]),
  ...plainAndTensor(builtins.dictCallDynamic, [1]),
  ...plainAndTensor(builtins.lenCallDynamic, [[1, 2]]),
  ...plainAndTensor(builtins.nestedCall, [[1, 2, 3]]),
  ...plainAndTensor(builtins.absAsValue, [-3]),
]);

const testObject = new loops.TestClass();
const callables: [string, (x: number) => unknown][] = [
  ['globalFn', loops.globalFn],
  ['arrow', (x: number) => x * 1],
  ['method', (x: number) => testObject.method(x)],
  ['Math.abs', Math.abs],
];
// The method's arrow reaches testObject through its closure, which conversion cannot see: the scope gives it.
const loopScope = { testObject };
referenceCases('loop_with_function_call', [
  ...[0, 1, 2].flatMap((n) =>
    callables.flatMap(([, fn]) => [
      ...both(
        loops.whileWithCallInCond,
        [n, fn],
        [
          ['plain', 'plain'],
          ['tensor', 'plain'],
        ],
        loopScope,
      ),
      ...both(
        loops.whileWithCall,
        [n, fn],
        [
          ['plain', 'plain'],
          ['tensor', 'plain'],
        ],
        loopScope,
      ),
    ]),
  ),
  ...[[], [1], [1, 2]].flatMap((l) =>
    callables.flatMap(([, fn]) =>
      both(
        loops.forWithCall,
        [l, fn],
        [
          ['plain', 'plain'],
          ['tensor', 'plain'],
        ],
        loopScope,
      ),
    ),
  ),
  ...[[1], [1, 2]].flatMap((l) =>
    [(x: number[]) => x].flatMap((fn) => both(loops.forWithCallInTarget, [l, fn], [['tensor', 'plain']])),
  ),
  ...[[], [1], [1, 2]].map((l) => ({
    fn: loops.forWithCallInTarget,
    args: [l, (x: number[]) => x],
    kinds: ['plain', 'plain'] as Kind[],
  })),
  ...[0, 1, 2].flatMap((n) => [
    ...plainAndTensor(loops.whileWithLocalCallInCond, [n]),
    ...plainAndTensor(loops.whileWithLocalCall, [n]),
    ...plainAndTensor(loops.whileWithClosureCall, [n]),
  ]),
  ...[[], [1], [1, 2]].flatMap((l) => [
    ...plainAndTensor(loops.forWithLocalCallInTarget, [l]),
    ...plainAndTensor(loops.forWithLocalCall, [l]),
  ]),
]);

referenceCases('composite_names_in_control_flow', [
  ...[0, 1].flatMap((a) => [
    ...plainAndTensor(composite.ifBasicDict, [a]),
    ...plainAndTensor(composite.ifBasicList, [a]),
    ...plainAndTensor(composite.ifImbalanced, [a]),
    ...plainAndTensor(composite.ifImbalancedNested, [a]),
  ]),
  ...[0, 1, 2].flatMap((x) =>
    [3, 7].flatMap((a) => [
      ...both(
        composite.whileBasicDict,
        [x, a, 0],
        [
          ['plain', 'plain', 'plain'],
          ['tensor', 'plain', 'plain'],
        ],
      ),
      ...both(
        composite.whileBasicList,
        [x, a, 0],
        [
          ['plain', 'plain', 'plain'],
          ['tensor', 'plain', 'plain'],
        ],
      ),
    ]),
  ),
  ...[3, 4, 5, 6].flatMap((b) => [
    ...both(
      composite.whileStateOnlyDict,
      [0, b],
      [
        ['plain', 'plain'],
        ['plain', 'tensor'],
      ],
    ),
    ...both(
      composite.whileStateOnlyList,
      [0, b],
      [
        ['plain', 'plain'],
        ['plain', 'tensor'],
      ],
    ),
  ]),
  ...[0, 1, 2].flatMap((n) => [
    ...both(
      composite.forBasicDict,
      [n, 1, 1, 1],
      [
        ['plain', 'plain', 'plain', 'plain'],
        ['tensor', 'plain', 'plain', 'plain'],
      ],
    ),
    ...both(
      composite.forImbalanced,
      [n, 0],
      [
        ['plain', 'plain'],
        ['tensor', 'plain'],
      ],
    ),
  ]),
]);

describeWithBackends('reference: composite names, illegal cases', () => {
  it('a property of an undefined property is a TypeError, as in JavaScript', async () => {
    for (const a of [1, tf.scalar(1, 'int32'), tf.scalar(0, 'int32')]) {
      const error = await expectNoLeaks(() =>
        toGraph(composite.ifBuggy)(a).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(error).to.be.instanceOf(TypeError);
      if (a instanceof tf.Tensor) a.dispose();
    }
  });
});
