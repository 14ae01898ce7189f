// TensorFlow AutoGraph's reference test early_return, written in JavaScript: multiple returns, some in
// conditionals and in try/finally.

export function returnWithDefault(x) {
  if (x > 0) {
    console.log('x', x);
    return x;
  }
  return x * x;
}

export function returnPossiblyUndefined(x) {
  if (x > 0) {
    if (x < 5) {
      return x;
    }
  } else {
    return x * x * x;
  }
}

export function nestedIfs(x) {
  if (x > 0) {
    if (x < 5) {
      return x;
    } else {
      return x * x;
    }
  } else {
    return x * x * x;
  }
}

export function possibleReturnBeforeLoop(c1, c2, n) {
  if (c1) {
    if (c2) {
      return 1;
    }
  }
  for (let i = 0; i < n; i++) {
    // nothing
  }
  return 2;
}

export function returnInTryWithFinally(x) {
  try {
    if (x > 0) {
      return 1;
    } else {
      return 0;
    }
  } finally {
    x = x + 1;
  }
}

export function returnWithDefaultInTryWithFinally(x) {
  try {
    if (x > 0) {
      return 1;
    }
    return 0;
  } finally {
    x = x + 1;
  }
}
