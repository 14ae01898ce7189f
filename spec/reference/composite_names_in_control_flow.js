// TensorFlow AutoGraph's reference test composite_names_in_control_flow, written in JavaScript: object
// properties and array elements changed inside ifs and loops. They stay JavaScript values, changed as the
// code runs, so the imbalanced cases that a graph rejects work as in plain JavaScript.

export function ifBasicDict(a) {
  const x = { a };
  if (x['a'] > 0) {
    x['b'] = 1;
  } else {
    x['b'] = -1;
  }
  return x;
}

export function ifBasicList(a) {
  const x = [a, 0];
  if (x[0] > 0) {
    x[1] = 1;
  } else {
    x[1] = -1;
  }
  return x;
}

export function ifImbalanced(a) {
  const x = { a };
  if (x['a'] > 0) {
    x['b'] = 1;
  }
  return x;
}

export function ifImbalancedNested(a) {
  const x = { a: { a } };
  if (x['a']['a'] > 0) {
    x['a']['b'] = 1;
  }
  return x;
}

export function ifBuggy(a) {
  const x = { a: { a } };
  if (x['a']['a'] > 0) {
    x['b']['a'] = 1;
  } else {
    x['b']['a'] = -1;
  }
  return x;
}

export function whileBasicDict(x, a, b) {
  const y = { a, b };
  while (x > 0) {
    x -= 1;
    y['a'] += 1;
  }
  return y;
}

export function whileBasicList(x, a, b) {
  const y = [a, b];
  while (x > 0) {
    x -= 1;
    y[0] += 1;
  }
  return y;
}

export function whileStateOnlyDict(a, b) {
  const y = { a, b };
  while (y['b'] <= 10) {
    y['a'] += 1;
    y['b'] *= 2;
  }
  return y;
}

export function whileStateOnlyList(a, b) {
  const y = [a, b];
  while (y[1] <= 10) {
    y[0] += 1;
    y[1] *= 2;
  }
  return y;
}

export function forBasicDict(n, x, a, b) {
  const y = { a, b };
  for (let i = 0; i < n; i++) {
    x -= 1;
    y['a'] += i;
  }
  return y;
}

export function forImbalanced(n, x) {
  const y = {};
  for (let i = 0; i < n; i++) {
    x -= i;
    y['a'] = x;
  }
  return y;
}
