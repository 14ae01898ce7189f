// TensorFlow AutoGraph's reference test call_to_builtin_function, written in JavaScript: dict, len, list and
// range become Object.fromEntries, .length and Array.from.

export function dictCall(x) {
  return Object.fromEntries([['foo', x]]);
}

export function dictCallAliased(x) {
  const fakeDict = (x) => x;
  const dict = fakeDict;
  return dict(x);
}

export function dictCallDynamic(x) {
  const genDict = () => Object.fromEntries;
  const d = genDict();
  return d([['foo', x]]);
}

export function lenCall(x) {
  return x.length;
}

export function nestedCall(x) {
  return Array.from({ length: x.length }, (_, i) => i);
}

export function lenCallAliased(x) {
  const fakeLen = (x) => x;
  const len = fakeLen;
  return len(x);
}

export function lenCallDynamic(x) {
  const genLen = () => (a) => a.length;
  const l = genLen();
  return l(x);
}

export function absAsValue(x) {
  const f = Math.abs;
  return f(x);
}
