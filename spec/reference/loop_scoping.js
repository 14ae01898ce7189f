// TensorFlow AutoGraph's reference test loop_scoping, written in JavaScript: scoping around loops.

export function forWithLocalVar(l) {
  let s = 0;
  for (const i of l) {
    const x = i + 2;
    s = s * 10 + x;
  }
  return s;
}

export function whileWithLocalVar(x) {
  let s = 0;
  while (x > 0) {
    const y = x + 2;
    s = s * 10 + y;
    x -= 1;
  }
  return s;
}

export function forWithLambdaIterLocalVar(l) {
  const fns = [];
  const results = [];
  for (const i of l) {
    fns.push(() => i + i);
  }
  for (const f of fns) {
    results.push(f());
  }
  return results;
}

export function forInitializesLocalVar(l) {
  let s = 0;
  let x;
  for (const i of l) {
    if (i == l[0]) {
      x = 0;
    } else {
      x += 1;
    }
    s = s * 10 + x;
  }
  return s;
}

export function whileInitializesLocalVar(x) {
  let s = 0;
  let y;
  while (x > 0) {
    if (x > 0) {
      y = 0;
    } else {
      y += 1;
    }
    s = s * 10 + y;
    x -= 1;
  }
  return s;
}

export function forDefinesVar(l) {
  let x;
  for (const i of l) {
    x = i + 2;
  }
  return x;
}

export function whileDefinesVar(x) {
  let y;
  while (x > 0) {
    y = x + 2;
    x -= 1;
  }
  return y;
}

export function forReusesIterate(l) {
  let i = 7;
  let s = 0;
  for (i of l) {
    s = s * 10 + i;
  }
  return [i, s];
}

export function forAltersIterate(l) {
  let i = 7;
  let s = 0;
  for (i of l) {
    i = 3 * i + 1;
    s = s * 10 + i;
  }
  return [i, s];
}
