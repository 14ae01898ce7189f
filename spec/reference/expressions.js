// TensorFlow AutoGraph's reference tests logical_expression and basic_ifexp, written in JavaScript.
// Python's `or`/`and` are JavaScript's `||`/`&&` (both return an operand); `a if c else b` is `c ? a : b`.

export function compositeOrsWithCallable(x, y, z) {
  const z1 = () => z;
  return x || y || z1();
}

export function compositeOrs(x, y, z) {
  return x || y || z;
}

export function compositeAnds(x, y, z) {
  return x && y && z;
}

export function compositeMixed(x, y, z) {
  return x || y || (z && y && z);
}

export function equality(x, y) {
  return x == y;
}

export function inequality(x, y) {
  return x != y;
}

export function comparison(x, y, z) {
  return x < y && y < z;
}

export function consecutiveConds(x) {
  if (x > 0) {
    x = x < 5 ? -x : x;
  } else {
    x = x < 5 ? -2 * x : 1;
  }
  if (x > 0) {
    x = x < 5 ? -x : x;
  } else {
    x = x < 5 ? 3 * x : x;
  }
  return x;
}

export function condWithMultipleValues(x) {
  let y, z;
  if (x > 0) {
    x = x < 5 ? -x : x;
    y = x < 5 ? 2 * x : x;
    z = y < 5 ? -y : y;
  } else {
    x = x < 5 ? 2 * x : x;
    y = x < 5 ? -x : x;
    z = y < 5 ? -y : y;
  }
  return [x, y, z];
}
