// The return value of a function whose returns were lowered into a flag and a variable.

/**
 * What the return variable holds until a return runs. Not `undefined`, so that a staged loop can tell
 * "no value yet" (allowed for the return value) from a variable that was never defined (an error).
 */
export const undefinedReturn: unique symbol = Symbol('undefinedReturn');

/** The function's result: the returned value, or `undefined` when no return ran. */
export function retval(value: unknown): unknown {
  return value === undefinedReturn ? undefined : value;
}
