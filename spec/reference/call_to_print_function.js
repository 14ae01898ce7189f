// TensorFlow AutoGraph's reference test call_to_print_function, written in JavaScript with console.log.

export function lonePrint(x) {
  console.log(x);
}

export function printMultipleValues(x) {
  console.log('x is', x);
}

export function multiplePrints(x, y) {
  console.log('x is', x);
  console.log('y is', y);
}

export function printWithNonTensorValues(x) {
  console.log('x is', x, { foo: 'bar' });
}

export function printInCond(x) {
  if (x == 0) {
    console.log(x);
  }
}
