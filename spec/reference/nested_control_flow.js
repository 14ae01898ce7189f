// TensorFlow AutoGraph's reference test nested_control_flow, written in JavaScript: arbitrarily nested
// ifs and loops, with break and continue inside try/finally.

export function independentIfs(x, y) {
  let z = 0;
  if (x > 0) {
    if (y > 0) {
      z = x + y;
    }
  }
  return z;
}

export function dependentInnerIf(x) {
  let y = 0;
  if (x > 0) {
    y = -2 * x;
    if (y > 0) {
      x = -3 * x;
    }
  } else {
    y = 4 * x;
  }
  return [x, y];
}

export function dependentImbalancedInnerIf(x) {
  let y = 0;
  if (x > 0) {
    if (x < 3) {
      y = -2 * x;
      x = -3 * x;
    }
  }
  return [x, y];
}

export function independentInnerFor(a, b) {
  let p = 0;
  for (const _ of a) {
    const tmp = b;
    for (const j of tmp) {
      p += j;
    }
  }
  return p;
}

export function independentInnerWhile(a, b) {
  let p = 0;
  while (a > 0) {
    let tmp = b;
    while (tmp > 0) {
      p += 1;
      tmp -= 1;
    }
    a -= 1;
  }
  return p;
}

export function dependentInnerFor(a, b) {
  let r = 1;
  let s = 0;
  for (const _ of a) {
    r += s;
    const tmp = b;
    for (const j of tmp) {
      s += j;
    }
  }
  return r;
}

export function dependentInnerWhile(a, b) {
  let r = 1;
  while (a > 0) {
    r += 1;
    let tmp = b;
    while (tmp > 0) {
      a -= 1;
      tmp -= 1;
    }
    a -= 1;
  }
  return r;
}

export function ifInFor(a) {
  let k = 0;
  for (const i of a) {
    if (i % 2 > 0) {
      const j = Math.floor(i / 2);
      k += j;
    }
  }
  return k;
}

export function whileContinueInTry(x) {
  let z = 0;
  while (x > 0) {
    x = x - 1;
    try {
      if (x < 5) {
        continue;
      }
      z = z + 1;
    } finally {
      z = z + 10;
    }
  }
  return z;
}

export function whileBreakInTry(x) {
  let z = 0;
  while (x > 0) {
    x = x - 1;
    try {
      if (x < 5) {
        break;
      }
      z = z + 1;
    } finally {
      z = z + 10;
    }
  }
  return z;
}

export function loopInitializingVariantVariable(n) {
  let a;
  for (let i = 0; i < n; i++) {
    if (i == 0) {
      a = 1;
    } else {
      a = a + 1;
    }
  }
  return a;
}
