// TensorFlow AutoGraph's reference test cond_basic, written in JavaScript: basic conditionals.

export function ifOneVar(n) {
  let i = 0;
  if (i < n) {
    i += 1;
  }
  return i;
}

export function ifElseOneVar(n) {
  let i = 0;
  if (i < n) {
    i += 1;
  } else {
    i += 2;
  }
  return i;
}

export function ifTwoVars(n) {
  let i = 0;
  let j = 1;
  if (i < n) {
    i += 1;
    j *= 10;
  }
  return [i, j];
}

export function ifElseTwoVars(n) {
  let i = 0;
  let j = 1;
  if (i < n) {
    i += 1;
    j *= 10;
  } else {
    i += 2;
    j *= 20;
  }
  return [i, j];
}

export function ifCreatesVar(c) {
  let i;
  if (c) {
    i = 1;
  }
  return i;
}

export function ifElseCreatesVar(c) {
  let i;
  if (c) {
    i = 1;
  } else {
    i = 2;
  }
  return i;
}

export function elseCreatesVar(c) {
  let i;
  if (c) {
    // nothing
  } else {
    i = 2;
  }
  return i;
}

export function ifLocalVar(c) {
  let i = 0;
  if (c) {
    const j = 1;
    i = j + 1;
  }
  return i;
}

export function ifElseLocalVar(c) {
  let i = 0;
  if (c) {
    const j = 1;
  } else {
    const j = 2;
    i = j + 1;
  }
  return i;
}

export function ifLocallyModifiedVar(c) {
  let i = 0;
  let j = 2;
  if (c) {
    j = j + 1;
    i = j + 1;
  }
  return i;
}

export function successiveIfs(n1, n2) {
  let s = 0;
  let i = 0;
  if (i < n1) {
    s = s * 10 + i;
    i += 1;
  }
  i = 0;
  if (i < n2) {
    s = s * 10 + i;
    i += 1;
  }
  return s;
}

export function successiveIfElses(n1, n2) {
  let s = 0;
  let i = 0;
  if (i < n1) {
    s = s * 10 + i;
    i += 1;
  } else {
    s = s * 11 + i;
    i += 2;
  }
  i = 0;
  if (i < n2) {
    s = s * 10 + i;
    i += 1;
  } else {
    s = s * 11 + i;
    i += 2;
  }
  return s;
}

export function nestedIfs(n1, n2) {
  let i = 0;
  let l = 0;
  if (i < n1) {
    let j = 0;
    let s = 0;
    if (j < n2) {
      s = s * 10 + i * j;
      j += 1;
    }
    l = l * 1000 + s;
    i += 1;
  }
  return l;
}

export function nestedIfTemporarilyUndefinedReturn(c1, c2) {
  if (c1) {
    if (c2) {
      return 1;
    }
  }
  return 2;
}

export function nestedIfElses(n1, n2) {
  let i = 0;
  let l = 0;
  if (i < n1) {
    let j = 0;
    let s = 0;
    if (j < n2) {
      s = s * 10 + i * j;
      j += 1;
    } else {
      s = s * 11 + i * j;
      j += 2;
    }
    l = l * 1000 + s;
    i += 1;
  } else {
    let j = 0;
    let s = 0;
    if (j < n2) {
      s = s * 12 + i * j;
      j += 3;
    } else {
      s = s * 13 + i * j;
      j += 4;
    }
    l = l * 2000 + s;
    i += 1;
  }
  return l;
}
