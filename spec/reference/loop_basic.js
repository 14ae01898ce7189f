// TensorFlow AutoGraph's reference test loop_basic, written in JavaScript: basic loops over numbers,
// arrays and tensors.

export function whileOneVar(n) {
  let i = 0;
  while (i < n) {
    i = i * 10 + 1;
  }
  return i;
}

export function forOneVar(l) {
  let i = 0;
  for (i of l) {
    // nothing
  }
  return i;
}

export function whileTwoVars(n) {
  let s = 0;
  let i = 0;
  while (i < n) {
    s = s * 10 + i;
    i += 1;
  }
  return s;
}

export function forTwoVars(l) {
  let s = 0;
  for (const i of l) {
    s = s * 10 + i;
  }
  return s;
}

export function whileCreatesVar(n) {
  let i = 0;
  let j;
  while (i < n) {
    i = n + 1;
    j = i + 1;
  }
  return [i, j];
}

export function successiveWhileLoops(n1, n2) {
  let s = 0;
  let i = 0;
  while (i < n1) {
    s = s * 10 + i;
    i += 1;
  }
  i = 0;
  while (i < n2) {
    s = s * 10 + i;
    i += 1;
  }
  return s;
}

export function successiveForLoops(l1, l2) {
  let s = 0;
  for (const i of l1) {
    s = s * 10 + i;
  }
  for (const i of l2) {
    s = s * 10 + i;
  }
  return s;
}
