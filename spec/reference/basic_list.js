// TensorFlow AutoGraph's reference test basic_list, written in JavaScript: lists appended to in loops and
// stacked, with autograph.setElementType in place of set_element_type.
import * as autograph from '../../lib/index.js';

// AutoGraph asks for the element type here; this library infers it from the elements.
export function typeNotAnnotated(n) {
  const l = [];
  for (let i = 0; i < n; i++) {
    l.push(i);
  }
  return autograph.stack(l);
}

export function elementAccess() {
  const l = [];
  l.push(1);
  l.push(2);
  l.push(3);
  autograph.setElementType(l, 'int32');
  return 2 * l[1];
}

export function elementUpdate() {
  const l = [];
  l.push(1);
  l.push(2);
  l.push(3);
  autograph.setElementType(l, 'int32');
  l[1] = 5;
  return autograph.stack(l);
}

export function simpleFill(n) {
  const l = [];
  autograph.setElementType(l, 'int32');
  for (let i = 0; i < n; i++) {
    l.push(i);
  }
  return autograph.stack(l);
}

export function nestedFill(m, n) {
  const mat = [];
  autograph.setElementType(mat, 'int32');
  for (let k = 0; k < m; k++) {
    const l = [];
    autograph.setElementType(l, 'int32');
    for (let j = 0; j < n; j++) {
      l.push(j);
    }
    mat.push(autograph.stack(l));
  }
  return autograph.stack(mat);
}

export function readWriteLoop(n) {
  const l = [];
  l.push(1);
  l.push(1);
  autograph.setElementType(l, 'int32');
  for (let i = 2; i < n; i++) {
    l.push(l[i - 1] + l[i - 2]);
    l[i - 2] = -l[i - 2];
  }
  return autograph.stack(l);
}

export function simpleEmpty(n) {
  const l = [];
  l.push(1);
  l.push(2);
  l.push(3);
  l.push(4);
  autograph.setElementType(l, 'int32');
  let s = 0;
  for (let k = 0; k < n; k++) {
    s += l.pop();
  }
  return [autograph.stack(l), s];
}

export function mutation(t, n) {
  for (let i = 0; i < n; i++) {
    t[i] = i;
  }
  return t;
}
