// Control-flow operators: each runs its construct as plain JavaScript, or staged when its condition is a tensor.

import { StagingError } from '../errors.js';
import { readCondition, truthy } from './conditions.js';
import { currentCallScope } from './memory.js';
import { checkIterable } from './plain.js';
import { countedTrips, enterLoop, itemsOf, reportsLoop, type LoopTicket } from './progress.js';
import { currentTracer, type IfTrace, type LoopTrace } from './tracing.js';
import { fitsDtype, isTensor, tf, weakDtype, type DataType, type Tensor } from './tensors.js';

/** Code the converter generates: bodies are generator functions, so the driver sees every wait. */
export type Body = () => Generator<unknown, unknown, unknown>;
export type Test = () => Generator<unknown, unknown, unknown>;
export type GetState = () => unknown[];
export type SetState = (values: unknown[]) => void;

/** A number or boolean leaving a staged construct becomes a tensor, of `dtype` if known, else weakly typed. */
export function stagedValue(value: unknown, dtype: DataType | undefined, name: string, construct: string): unknown {
  if (typeof value !== 'number' && typeof value !== 'boolean') return value;
  const target = dtype ?? weakDtype(value);
  if (!fitsDtype(value, target)) {
    throw new StagingError(
      `'${name}' is ${target} in ${construct}, but gets the value ${String(value)}, which ${target} cannot hold. ` +
        `Give '${name}' one dtype throughout, for example with tf.cast(${name}, 'float32') before ${construct}.`,
    );
  }
  const tensor = tf.scalar(target === 'bool' ? value : Number(value), target);
  if (dtype === undefined) weakTensors.set(tensor, value);
  return tensor;
}

/**
 * Tensors made from a JavaScript number or boolean whose dtype nothing dictated, with that value. Until
 * the variable holding one is assigned a tensor, its dtype is weak: `let first = 0` that gets a float32
 * loss inside a staged loop or if becomes float32, as a number meeting a tensor does.
 */
const weakTensors = new WeakMap<object, number | boolean>();

/** Gives `copy`, a new object for the same tensor (a graph trace makes them), the weak dtype of `original`. */
export function sameWeakness(copy: object, original: object): void {
  if (weakTensors.has(original)) weakTensors.set(copy, weakTensors.get(original)!);
}

/** Whether `before`, a weakly typed tensor, may take `dtype` without changing its value. */
export const adoptsDtype = (before: unknown, dtype: DataType) =>
  isTensor(before) && weakTensors.has(before) && fitsDtype(weakTensors.get(before)!, dtype);

/**
 * `if (test) body else orelse`. Staged when `condition` is a tensor: the taken branch runs after the
 * condition is read.
 */
export function* ifStmt(
  condition: unknown,
  body: Body,
  orelse: Body | null,
  getState: GetState,
  setState: SetState,
  names: string[],
): Generator<unknown, void, unknown> {
  if (!isTensor(condition)) {
    if (condition) yield* body();
    else if (orelse) yield* orelse();
    return;
  }
  const construct = 'an if statement';
  const taken = yield* readCondition(condition, construct, undefined, true);
  const trace = currentTracer()?.beginIf(condition, taken, orelse === null ? 1 : null, true);
  // The state functions cover the carried variables (`names`), then those the branches assign that
  // nothing reads after the if: the branch not taken, when a trace runs it, starts from their old values.
  const entry = getState();
  const before = entry.slice(0, names.length);
  if (taken) yield* body();
  else if (orelse) yield* orelse();
  const exit = getState();
  const uncarried = exit.slice(names.length);
  const state = settled(before, exit.slice(0, names.length), names, construct);
  if (!trace) return setState([...state, ...uncarried]);
  trace.ran(before, state, names, taken ? body : orelse);
  const other = taken ? orelse : body;
  if (other) {
    yield* traceUntaken(trace, other, function* () {
      setState(entry);
      yield* other();
      return settled(before, getState().slice(0, names.length), names, construct);
    });
  }
  setState([...trace.end(), ...uncarried]);
}

/** The variables after a staged if's branch, from their values `before` it and `after` it. */
function settled(before: unknown[], after: unknown[], names: string[], construct: string): unknown[] {
  return after.map((value, i) => {
    const previous = before[i];
    const dtype = isTensor(previous) ? previous.dtype : undefined;
    if (isTensor(value) && dtype !== undefined && value.dtype !== dtype && !adoptsDtype(previous, value.dtype)) {
      throw new StagingError(
        `'${names[i]}' is ${dtype} before ${construct} whose condition is a tensor, but ${value.dtype} after it. ` +
          `A staged if keeps each variable's dtype: cast the new value, for example tf.cast(value, '${dtype}').`,
      );
    }
    // The branch taken ran as JavaScript: a variable that held a tensor keeps its dtype, and the others
    // keep what the branch gave them (a flag or a counter stays a JavaScript value, on the CPU).
    return dtype === undefined ? value : stagedValue(value, dtype, names[i]!, construct);
  });
}

/**
 * Traces the branch of a staged if (or `&&`, `||`, `?:`) that was not taken, when the trace asks for it:
 * `run` runs it and returns the state it leaves. Nothing it makes outlives it, and an error it throws
 * (its values are not the ones it would run on) only leaves it untraced. The caller restores the state.
 */
export function* traceUntaken(
  trace: IfTrace,
  other: (...args: never[]) => unknown,
  run: () => Generator<unknown, unknown[], unknown>,
): Generator<unknown, void, unknown> {
  if (!trace.beginOther(other)) return;
  const scope = currentCallScope();
  const mark = scope?.mark() ?? 0;
  let after: unknown[] | undefined;
  try {
    after = yield* run();
  } catch {
    after = undefined;
  }
  trace.endOther(after);
  scope?.freeUnreachable(mark, undefined);
}

/** A loop on a condition alone: `while`, or `do`-`while` when the body runs once before the first test. */
function conditionLoop(construct: string, bodyFirst: boolean) {
  return function* (
    test: Test,
    body: Body,
    getState: GetState,
    setState: SetState,
    names: string[],
    getStores?: GetState,
  ): Generator<unknown, void, unknown> {
    yield* tracked(undefined, (ticket) =>
      loop(test, null, body, getState, setState, names, getStores, construct, ticket, bodyFirst),
    );
  };
}

/**
 * Runs a loop as one of its call's running loops: the call's outermost loop reports its progress where
 * `total`, its trip count, is known (operators/progress.ts).
 */
function* tracked(
  total: number | undefined,
  run: (ticket: LoopTicket) => Generator<unknown, void, unknown>,
): Generator<unknown, void, unknown> {
  const ticket = enterLoop(total);
  let finished = false;
  try {
    yield* run(ticket);
    finished = true;
  } finally {
    ticket.leave(finished);
  }
}

/** `while (test) body`. Staged when the condition is a tensor. */
export const whileStmt = conditionLoop('a while loop', false);

/** `do body while (test)`: the body runs once before the first test; staged once the test gives a tensor. */
export const doWhileStmt = conditionLoop('a do-while loop', true);

/**
 * `for (init; test; update) body`, with `init` already run. A missing test is `null` and always true.
 * `count`, for a loop that counts up by one, gives `[i, n, inclusive]`: its trip count, for progress.
 */
export function* forStmt(
  test: Test | null,
  update: Body | null,
  body: Body,
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores?: GetState | null,
  count?: () => unknown[],
): Generator<unknown, void, unknown> {
  const total = count && reportsLoop() ? yield* countedTrips(count) : undefined;
  yield* tracked(total, (ticket) =>
    loop(test, update, body, getState, setState, names, getStores ?? undefined, 'a for loop', ticket),
  );
}

function* loop(
  test: Test | null,
  update: Body | null,
  body: Body,
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores: GetState | undefined,
  construct: string,
  ticket: LoopTicket,
  bodyFirst = false,
): Generator<unknown, void, unknown> {
  const mark = currentCallScope()?.mark() ?? 0;
  if (bodyFirst) {
    yield* body();
    ticket.step();
  }
  let current: unknown = test ? yield* test() : true;
  const iterations: Iterations = {
    *runs() {
      return yield* truthy(current, construct, true);
    },
    *body() {
      yield* body();
      if (update) yield* update();
      ticket.step();
    },
    *advance() {
      current = test ? yield* test() : true;
    },
    condition: () => current,
  };
  if (isTensor(current)) {
    yield* stagedLoop(getState, setState, names, getStores, construct, mark, iterations, false);
    return;
  }
  while (current) {
    yield* iterations.body();
    yield* iterations.advance();
    // A condition that became a tensor (`i = i + t` in `while (i < n)`): the loop goes on staged from
    // here, with the variables it carries that are still JavaScript values left so.
    if (isTensor(current)) {
      yield* stagedLoop(getState, setState, names, getStores, construct, mark, iterations, true);
      return;
    }
  }
}

/** One staged loop's iterations: whether another runs, its body, and what prepares the next test. */
interface Iterations {
  runs(): Generator<unknown, boolean, unknown>;
  body(): Generator<unknown, void, unknown>;
  advance(): Generator<unknown, void, unknown>;
  /** The current condition, which a graph trace records. */
  condition(): unknown;
}

/**
 * Runs a loop whose condition is a tensor. Carried numbers and booleans become tensors, as they are in a
 * graph, unless the loop started plain (`continued`): then they stay JavaScript values until they meet a
 * tensor. Their dtype is weak until the first iteration ends: `let total = 0` that meets float32 in the
 * body is float32, since in JavaScript 0 and 0.0 are one value. After that, each variable keeps its dtype,
 * and each iteration's temporaries are freed, so memory does not grow with the trip count.
 */
function* stagedLoop(
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores: GetState | undefined,
  construct: string,
  mark: number,
  iterations: Iterations,
  continued: boolean,
): Generator<unknown, void, unknown> {
  const scope = currentCallScope();
  // Besides the carried variables, the objects the loop stores into (a list it pushes to, `self` whose
  // properties it sets): their tensors stay alive too.
  const withRoots = getStores ? () => [...getState(), ...getStores()] : getState;
  const entry = getState();
  // What the loop may store into, as it was: a trace checks after the loop that it still is.
  const tracer = currentTracer();
  const stored = tracer && getStores ? getStores().map(shallowCopy) : undefined;
  // A loop that started plain has run with these values already: they stay as they are.
  if (!continued) {
    entry.forEach((value, i) => {
      if (value !== undefined) return;
      throw new StagingError(
        `'${names[i]}' must be defined before the loop: ${construct} whose condition is a tensor carries it from ` +
          `one iteration to the next and past the loop, so give '${names[i]}' a value before ${construct}.`,
      );
    });
  }
  const weak = entry.map((value) => typeof value === 'number' || typeof value === 'boolean');
  if (!continued) setState(entry.map((value, i) => stagedValue(value, undefined, names[i]!, construct)));
  if (scope) scope.stagedLoops++;
  try {
    yield* iterate(getState, setState, withRoots, names, construct, mark, iterations, entry, weak, continued);
  } finally {
    if (scope) scope.stagedLoops--;
  }
  if (stored && getStores!().some((root, i) => !sameShallow(stored[i], root))) {
    tracer!.fail(
      `${construct} whose condition is a tensor stores into an object (pushes to a list, sets a property), ` +
        'so what the object holds depends on the trip count, which graph mode does not trace yet',
    );
  }
}

/**
 * An object's own values (an array's elements) and keys, to tell whether a loop stored into it. An
 * optimizer's own state (its iteration count) is tf's, which a trace does not follow (docs/graph-mode.md).
 */
function shallowCopy(value: unknown): unknown[] | unknown {
  if (value === null || typeof value !== 'object' || isTensor(value) || value instanceof tf.Optimizer) return value;
  return Array.isArray(value) ? [...(value as unknown[])] : Object.entries(value).flat();
}

function sameShallow(copy: unknown, value: unknown): boolean {
  const now = shallowCopy(value);
  if (!Array.isArray(copy) || !Array.isArray(now)) return Object.is(copy, now);
  return copy.length === now.length && copy.every((item, i) => Object.is(item, now[i]));
}

/** The iterations of a staged loop, with the dtype checks and the freeing of each one's temporaries. */
function* iterate(
  getState: GetState,
  setState: SetState,
  withRoots: GetState,
  names: string[],
  construct: string,
  mark: number,
  iterations: Iterations,
  entry: unknown[],
  weak: boolean[],
  keepsNumbers = false,
): Generator<unknown, void, unknown> {
  const scope = currentCallScope();
  const dtypes = getState().map((value) => (isTensor(value) ? value.dtype : undefined));
  const limit = scope?.maximumIterations;
  let count = 0;
  const tracer = currentTracer();
  let trace: LoopTrace | undefined;
  if (tracer) {
    const condition = iterations.condition();
    if (isTensor(condition)) trace = tracer.beginLoop(condition, getState(), construct);
    else tracer.fail(`${construct} starts with a condition that is not a tensor`);
  }
  while ((trace?.goesOn() ?? true) && (yield* iterations.runs())) {
    if (trace) setState(trace.beginIteration(getState()));
    if (limit !== undefined && count++ >= limit) {
      throw new StagingError(
        `${construct[0]!.toUpperCase()}${construct.slice(1)} whose condition is a tensor ran ${limit} iterations ` +
          'without ending, the maximumIterations option of toGraph. Check that its condition can become false, or ' +
          'raise maximumIterations.',
      );
    }
    const start = getState();
    yield* iterations.body();
    const state = getState().map((value, i) => {
      // A variable that has not met a tensor stays a JavaScript value in a loop that started plain.
      if (!isTensor(value)) {
        return keepsNumbers && dtypes[i] === undefined ? value : stagedValue(value, dtypes[i], names[i]!, construct);
      }
      const dtype = dtypes[i];
      const adopts =
        (weak[i] && fitsDtype(entry[i] as number | boolean, value.dtype)) || adoptsDtype(start[i], value.dtype);
      if (dtype === undefined || adopts) {
        dtypes[i] = value.dtype;
      } else if (value.dtype !== dtype) {
        throw new StagingError(
          `'${names[i]}' is ${dtype} when ${construct} whose condition is a tensor begins an iteration, but ` +
            `${value.dtype} at its end. A staged loop keeps each variable's dtype: cast it before the loop, for ` +
            `example ${names[i]} = tf.cast(${names[i]}, '${value.dtype}'), or cast the new value to ${dtype}.`,
        );
      }
      return value;
    });
    weak = weak.map(() => false);
    setState(state);
    scope?.freeUnreachable(mark, withRoots());
    yield* iterations.advance();
    trace?.endIteration(getState(), iterations.condition());
  }
  if (trace) setState(trace.end(getState()));
  scope?.freeUnreachable(mark, withRoots());
}

/**
 * `for (const item of iterable) body`. Over a tensor it runs along axis 0, staged: each item is a slice
 * of the tensor, and carried variables follow the rules of staged loops. Anything else iterates natively.
 */
export function* forOfStmt(
  iterable: unknown,
  extraTest: Test | null,
  body: (item: unknown) => Generator<unknown, unknown, unknown>,
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores?: GetState,
): Generator<unknown, void, unknown> {
  yield* tracked(itemsOf(iterable), (ticket) =>
    forOf(iterable, extraTest, ticket, body, getState, setState, names, getStores),
  );
}

function* forOf(
  iterable: unknown,
  extraTest: Test | null,
  ticket: LoopTicket,
  userBody: (item: unknown) => Generator<unknown, unknown, unknown>,
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores?: GetState,
): Generator<unknown, void, unknown> {
  const body = function* (item: unknown): Generator<unknown, void, unknown> {
    yield* userBody(item);
    ticket.step();
  };
  if (!isTensor(iterable)) {
    // A stop flag that a break or return set under a tensor condition is a tensor: it is read, and the
    // loop goes on over the plain items.
    const keepsGoing = function* (): Generator<unknown, boolean, unknown> {
      return yield* truthy(yield* extraTest!(), 'a for-of loop');
    };
    // Iterated by hand, as for-of does: the stop flags are tested before the next item is pulled (also
    // after the last one), and an iterator left early is closed with return().
    const iterator = checkIterable(iterable as Iterable<unknown>)[Symbol.iterator]();
    let exhausted = false;
    try {
      for (;;) {
        if (extraTest && !(yield* keepsGoing())) return;
        const step = iterator.next();
        if (step.done) {
          exhausted = true;
          return;
        }
        yield* body(step.value);
      }
    } finally {
      if (!exhausted) iterator.return?.();
    }
  }
  const construct = 'a for-of loop over a tensor';
  if (iterable.rank === 0) {
    throw new StagingError(
      `${construct} needs a tensor of rank 1 or more to iterate along its first axis, but got a scalar. ` +
        'Iterate over tf.range(n) to count, or wrap the value in an array.',
    );
  }
  const scope = currentCallScope();
  const mark = scope?.mark() ?? 0;
  const length = iterable.shape[0]!;
  if (currentTracer()) {
    yield* tracedForOf(iterable, length, extraTest, body, getState, setState, names, getStores, construct, mark);
    return;
  }
  let index = 0;
  /* eslint-disable require-yield -- the steps of a staged loop are generators; some never wait. */
  yield* stagedLoop(
    getState,
    setState,
    names,
    getStores,
    construct,
    mark,
    {
      *runs() {
        return index < length && (!extraTest || (yield* truthy(yield* extraTest(), construct)));
      },
      *body() {
        yield* body(tf.gather(iterable, index));
      },
      *advance() {
        index++;
      },
      condition: () => undefined,
    },
    false,
  );
  /* eslint-enable require-yield */
}

/**
 * A for-of loop over a tensor in a graph trace: the position is a tensor the loop carries, and the
 * condition (more items, and no break) a tensor, so that one iteration's work is every iteration's.
 */
function* tracedForOf(
  iterable: Tensor,
  length: number,
  extraTest: Test | null,
  body: (item: unknown) => Generator<unknown, unknown, unknown>,
  getState: GetState,
  setState: SetState,
  names: string[],
  getStores: GetState | undefined,
  construct: string,
  mark: number,
): Generator<unknown, void, unknown> {
  let position: Tensor = tf.scalar(0, 'int32');
  const test = function* (): Generator<unknown, Tensor, unknown> {
    const more = tf.less(position, tf.scalar(length, 'int32'));
    if (!extraTest) return more;
    const going = yield* extraTest();
    if (!isTensor(going)) return going ? more : tf.scalar(false);
    return tf.logicalAnd(more, going.dtype === 'bool' ? going : tf.notEqual(going, 0));
  };
  let current: Tensor = yield* test();
  yield* stagedLoop(
    () => [position, ...getState()],
    (values) => {
      position = values[0] as Tensor;
      setState(values.slice(1));
    },
    ['(position)', ...names],
    getStores,
    construct,
    mark,
    {
      *runs() {
        return yield* truthy(current, construct, true);
      },
      *body() {
        yield* body(tf.gather(iterable, position));
      },
      *advance() {
        position = tf.add(position, tf.scalar(1, 'int32'));
        current = yield* test();
      },
      condition: () => current,
    },
    false,
  );
}

/**
 * Guards the condition of a construct the converter left native because a `return`, `break` or
 * `continue` leaves it: plain values pass, a tensor is an error instead of an always-truthy object.
 */
export function conditionUnstaged(condition: unknown, construct: string, jump: string): unknown {
  if (!isTensor(condition)) return condition;
  throw new StagingError(
    `The condition of ${construct} is a tensor, but ${construct} contains a '${jump}' that leaves it, and ` +
      `staging such jumps is not supported yet. Set a variable instead of the '${jump}' and test it after ` +
      `${construct}, or make the condition a plain value.`,
  );
}

/** The keys a `for (k in object)` loop visits, lazily and in its order: for-in through forOfStmt. */
export function* keysOf(object: unknown): Generator<string, void, unknown> {
  for (const key in object as object) yield key;
}

/** The discriminant of a switch that stays native JavaScript: plain values pass, a tensor is an error. */
export function discriminantUnstaged(discriminant: unknown): unknown {
  if (!isTensor(discriminant)) return discriminant;
  throw new StagingError(
    'The discriminant of a switch statement is a tensor, but this switch stays native JavaScript: a case ' +
      'declares a function (hoisted across the cases, which a chain of ifs would split), or a jump in it ' +
      "leaves a finally block. Wrap each case's statements in braces { ... } or move the function out of the " +
      'switch, or switch on a plain value.',
  );
}
