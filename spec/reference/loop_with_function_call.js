// TensorFlow AutoGraph's reference test loop_with_function_call, written in JavaScript: calls in loop
// conditions, iterables and bodies, to parameters, local functions and closures.

export function whileWithCallInCond(n, fn) {
  let i = 0;
  let s = 0;
  while (i < fn(n)) {
    s = s * 10 + i;
    i += 1;
  }
  return s;
}

export function forWithCallInTarget(l, fn) {
  let s = 0;
  for (const i of fn(l)) {
    s = s * 10 + i;
  }
  return s;
}

export function whileWithLocalCallInCond(n) {
  function localFn(x) {
    return x * 3;
  }
  let i = 0;
  let s = 0;
  while (i < localFn(n)) {
    s = s * 10 + i;
    i += 1;
  }
  return s;
}

export function forWithLocalCallInTarget(l) {
  const localFn = (l) => l;
  let s = 0;
  for (const i of localFn(l)) {
    s = s * 10 + i;
  }
  return s;
}

export function whileWithCall(n, fn) {
  let i = 0;
  let s = 0;
  while (i < n) {
    s = s * 10 + fn(i);
    i += 1;
  }
  return s;
}

export function forWithCall(l, fn) {
  let s = 0;
  for (const i of l) {
    s = s * 10 + fn(i);
  }
  return s;
}

export function whileWithLocalCall(n) {
  function localFn(x) {
    return x * 3;
  }
  let i = 0;
  let s = 0;
  while (i < n) {
    s = s * 10 + localFn(i);
    i += 1;
  }
  return s;
}

export function forWithLocalCall(l) {
  const localFn = (x) => x * 3;
  let s = 0;
  for (const i of l) {
    s = s * 10 + localFn(i);
  }
  return s;
}

export function whileWithClosureCall(n) {
  let i = 0;
  const iViaClosure = () => i + 2;
  let s = 0;
  while (i < n) {
    s = s * 10 + iViaClosure();
    i += 1;
  }
  return s;
}

export function globalFn(x) {
  return x * 2;
}

export class TestClass {
  method(x) {
    return x * 4;
  }
}
