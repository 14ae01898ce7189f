// TensorFlow AutoGraph's reference test loop_control_flow, written in JavaScript: nested loops with
// break and continue, in the inner loop and inside nested conditionals.

export function continueInSingleFor(l) {
  let s = 0;
  for (const c of l) {
    if (c % 2 > 0) {
      continue;
    }
    s += c;
  }
  return s;
}

export function continueInSingleWhile(x) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    if (x % 2 > 0) {
      continue;
    }
    s += x;
  }
  return s;
}

export function continueInInnerFor(m) {
  let s = 0;
  for (const l of m) {
    for (const c of l) {
      if (c % 2 > 0) {
        continue;
      }
      s += c;
    }
  }
  return s;
}

export function continueInInnerWhile(x, y) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    while (y > 0) {
      y -= 1;
      if ((x + y) % 2 > 0) {
        continue;
      }
      s += x + y;
    }
  }
  return s;
}

export function breakInSingleFor(l) {
  let s = 0;
  for (const c of l) {
    if (c % 2 > 0) {
      break;
    }
    s += c;
  }
  return s;
}

export function unconditionalReturnInSingleFor(l) {
  let s = 0;
  for (const c of l) {
    s += c;
    return s;
  }
  return s;
}

export function effectivelyUnconditionalReturnInSingleFor(l) {
  let s = 0;
  for (const c of l) {
    s += c;
    if (c % 2 > 0) {
      return s;
    } else {
      return -s;
    }
  }
  return s;
}

export function unconditionalReturnInSingleWhile(x) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    s += x;
    return s;
  }
  return s;
}

export function effectivelyUnconditionalReturnInSingleWhile(x) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    s += x;
    if (x % 2 > 0) {
      return s;
    } else {
      return -s;
    }
  }
  return s;
}

export function breakInSingleWhile(x) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    if (x % 2 > 0) {
      break;
    }
    s += x;
  }
  return s;
}

export function breakInInnerFor(m) {
  let s = 0;
  for (const l of m) {
    for (const c of l) {
      if (c % 2 > 0) {
        break;
      }
      s += c;
    }
  }
  return s;
}

export function breakInInnerWhile(x, y) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    while (y > 0) {
      y -= 1;
      if ((x + y) % 2 == 0) {
        break;
      }
      s += x + y;
    }
  }
  return s;
}

export function breakContinueInInnerFor(m) {
  let s = 0;
  for (const l of m) {
    for (const c of l) {
      if (c % 2 > 0) {
        break;
      } else {
        continue;
      }
      s += c;
    }
  }
  return s;
}

export function breakContinueInInnerWhile(x, y) {
  let s = 0;
  while (x > 0) {
    x -= 1;
    while (y > 0) {
      y -= 1;
      if ((x + y) % 2 > 0) {
        break;
      } else {
        continue;
      }
      s += x + y;
    }
  }
  return s;
}

export function breakFollowedByCondInSingleFor(x, y) {
  for (let i = 0; i < y; i++) {
    if (i == 2) {
      break;
    }
    if (x > 0) {
      x -= 1;
    }
  }
  return x;
}

export function breakFollowedByCondInSingleWhile(x) {
  while (x > 0) {
    if (x == 2) {
      break;
    }
    if (x > 0) {
      x -= 1;
    }
  }
  return x;
}

export function multipleBreaksInSingleWhile(n) {
  let s = 1;
  let i = 0;
  while (i < n) {
    i += 1;
    if (i > 10 * n) {
      break;
    }
    if (i == n) {
      break;
    }
    s = s * 10 + i;
  }
  return [i, s];
}
