// Calls to JavaScript built-ins that must also work on tensors: Math functions, Number and Boolean, and
// console methods.
//
//   Math.floor(a / 2)        becomes   ag__.floorDiv(a, 2)
//   Math.max(a, b, 0)        becomes   ag__.max(a, b, 0)
//   Number(t)                becomes   ag__.toNumber(t)
//   String(t)                becomes   ag__.toStringOf(t)       (reads the tensor; waits like a print)
//   JSON.stringify(v)        becomes   ag__.jsonStringify(v)    (reads the tensors in v; waits like a print)
//   isNaN(loss)              becomes   ag__.isNaNOf(loss)       (and isFinite, Number.isNaN, isFinite, isInteger)
//   xs.map(Math.abs)         becomes   xs.map(ag__.abs)
//   console.log("n", n);     becomes   ag__.consoleCall(console, "log", ["n", n]);
//   console.log(`n = ${n}`)  becomes   ag__.consoleCall(console, "log", [ag__.printTemplate(["n = ", ""], [n])]);
//
// `Math`, `Number`, `Boolean` and `console` are recognised only when the function does not declare those names itself.
// In callbacks, which cannot wait for a read, console calls are `ag__.consoleCallInCallback`, for which a
// tensor argument is an error. The back ends make `ag__.consoleCall` wait (staged) or buffer (plain).

import { walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode } from '../../analysis/scopes.js';
import { array, call, literal } from '../../codegen/builders.js';
import { MATH_FUNCTIONS } from '../../analysis/globals.js';
import type { ConversionContext } from '../context.js';

/** The Math functions that also work on tensors; each has a runtime function of the same name. */
const MATH = new Set<string>([...MATH_FUNCTIONS, 'pow']);
/** Global conversion functions that also work on tensors, and their runtime names. */
const CONVERSIONS: Record<string, string> = {
  Number: 'toNumber',
  Boolean: 'toBoolean',
  isNaN: 'isNaNOf',
  isFinite: 'isFiniteOf',
};
/** Number's predicates, which also work on tensors elementwise, and their runtime names. */
const NUMBER_PREDICATES: Record<string, string> = {
  isNaN: 'numberIsNaN',
  isFinite: 'numberIsFinite',
  isInteger: 'numberIsInteger',
};
/** Math functions whose argument, when it is a division, is computed as one integer-preserving division. */
const MATH_OF_QUOTIENT: Record<string, string> = { floor: 'floorDiv', trunc: 'truncDiv' };
const CONSOLE = new Set(['log', 'info', 'warn', 'error', 'debug']);

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = ctx.scopesOf(fn);
  /** `object.method` where `object` is the global of that name, not a variable of the function. */
  const globalMethod = (node: ESTree.Node, object: string): string | undefined => {
    if (node.type !== 'MemberExpression' || node.computed || node.object.type !== 'Identifier') return undefined;
    if (node.object.name !== object || node.property.type !== 'Identifier') return undefined;
    const reference = scopes.referenceOf.get(node.object);
    return reference && reference.binding === null ? node.property.name : undefined;
  };
  const functions: ESTree.Node[] = [];
  /**
   * A console argument whose `+` and template literals may meet tensors: `"x = " + t` prints t's value,
   * as it would print a number's.
   */
  const printable = <T extends ESTree.Expression | ESTree.SpreadElement>(arg: T): T | ESTree.CallExpression => {
    if (arg.type === 'BinaryExpression' && arg.operator === '+' && arg.left.type !== 'PrivateIdentifier') {
      return call(ctx.operator('printAdd'), [printable(arg.left), printable(arg.right)], arg.loc);
    }
    if (arg.type === 'TemplateLiteral') {
      const strings = array(arg.quasis.map((quasi) => literal(quasi.value.cooked ?? quasi.value.raw)));
      return call(ctx.operator('printTemplate'), [strings, array(arg.expressions.map((e) => printable(e)))], arg.loc);
    }
    return arg;
  };

  walk(fn as ESTree.Node, {
    enter(node) {
      if (isFunctionNode(node)) functions.push(node);
    },
    leave(node, parent, key) {
      if (isFunctionNode(node)) functions.pop();
      // `xs.map(Math.abs)`: a Math function passed on as a value is the runtime's, which also takes tensors
      // (and gives Math's own results on numbers).
      const isCallee = parent?.type === 'CallExpression' && key === 'callee';
      if (node.type === 'MemberExpression' && !isCallee) {
        const math = globalMethod(node, 'Math');
        if (math !== undefined && MATH.has(math)) this.replace({ ...ctx.operator(math), loc: node.loc });
        const predicate = globalMethod(node, 'Number');
        if (predicate !== undefined && NUMBER_PREDICATES[predicate] !== undefined) {
          this.replace({ ...ctx.operator(NUMBER_PREDICATES[predicate]), loc: node.loc });
        }
        return;
      }
      // `xs.map(isNaN)`, `xs.filter(Number)`: the global passed to a function is the runtime's.
      if (
        node.type === 'Identifier' &&
        parent?.type === 'CallExpression' &&
        key === 'arguments' &&
        CONVERSIONS[node.name] !== undefined
      ) {
        const reference = scopes.referenceOf.get(node);
        if (reference && reference.binding === null && !reference.write) {
          this.replace({ ...ctx.operator(CONVERSIONS[node.name]!), loc: node.loc });
        }
        return;
      }
      if (node.type !== 'CallExpression') return;
      const args = node.arguments;
      const math = globalMethod(node.callee, 'Math');
      if (math !== undefined && MATH.has(math)) {
        const [arg] = args;
        const quotient = MATH_OF_QUOTIENT[math];
        if (quotient && args.length === 1 && arg!.type === 'BinaryExpression' && arg!.operator === '/') {
          this.replace(call(ctx.operator(quotient), [arg!.left as ESTree.Expression, arg!.right], node.loc));
        } else {
          this.replace(call(ctx.operator(math), args, node.loc));
        }
        return;
      }
      if (node.callee.type === 'Identifier' && CONVERSIONS[node.callee.name] !== undefined) {
        const reference = scopes.referenceOf.get(node.callee);
        if (reference && reference.binding === null) {
          this.replace(call(ctx.operator(CONVERSIONS[node.callee.name]!), args, node.loc));
        }
        return;
      }
      // String(t) and JSON.stringify(v) read tensors: calls that may wait, as console's are.
      const reading =
        node.callee.type === 'Identifier' && node.callee.name === 'String'
          ? scopes.referenceOf.get(node.callee)?.binding === null && 'toStringOf'
          : globalMethod(node.callee, 'JSON') === 'stringify' && 'jsonStringify';
      if (reading) {
        const inCallback = !ctx.converted.has(functions[functions.length - 1]!);
        this.replace(call(ctx.operator(inCallback ? `${reading}InCallback` : reading), args, node.loc));
        return;
      }
      const predicate = globalMethod(node.callee, 'Number');
      if (predicate !== undefined && NUMBER_PREDICATES[predicate] !== undefined) {
        this.replace(call(ctx.operator(NUMBER_PREDICATES[predicate]), args, node.loc));
        return;
      }
      const method = globalMethod(node.callee, 'console');
      if (method === undefined || (!CONSOLE.has(method) && method !== 'assert')) return;
      const consoleId = (node.callee as ESTree.MemberExpression).object as ESTree.Expression;
      // A callback cannot wait for a read; converted bodies can (the staged back end adds the `yield*`,
      // the plain back end buffers).
      const inCallback = !ctx.converted.has(functions[functions.length - 1]!);
      const suffix = inCallback ? 'InCallback' : '';
      if (method === 'assert') {
        this.replace(call(ctx.operator(`consoleAssert${suffix}`), [consoleId, array(args.map(printable))], node.loc));
        return;
      }
      const printArgs = [consoleId, literal(method), array(args.map(printable))];
      this.replace(call(ctx.operator(`consoleCall${suffix}`), printArgs, node.loc));
    },
  });
  return fn;
}
