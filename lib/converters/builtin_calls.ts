// Calls to JavaScript built-ins that must also work on tensors: Math functions, Number and Boolean, and
// console methods.
//
//   Math.floor(a / 2)        becomes   ag__.floorDiv(a, 2)
//   Math.max(a, b, 0)        becomes   ag__.max(a, b, 0)
//   Number(t)                becomes   ag__.toNumber(t)
//   xs.map(Math.abs)         becomes   xs.map(ag__.abs)
//   console.log("n", n);     becomes   yield* ag__.consoleCall(console, "log", ["n", n]);
//   console.log(`n = ${n}`)  becomes   yield* ag__.consoleCall(console, "log", [ag__.printTemplate(["n = ", ""], [n])]);
//
// `Math`, `Number`, `Boolean` and `console` are recognised only when the function does not declare those names itself.
// console calls become `yield*` only in converted bodies; in callbacks, which cannot wait for a read, a
// tensor argument is an error instead.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { analyzeScopes, isFunctionNode } from '../analysis/scopes.js';
import { array, call, identifier, literal, member, yieldDelegate } from '../codegen/builders.js';
import { MATH_FUNCTIONS } from '../analysis/globals.js';
import type { ConversionContext } from './context.js';

/** The Math functions that also work on tensors; each has a runtime function of the same name. */
const MATH = new Set<string>([...MATH_FUNCTIONS, 'pow']);
/** Global conversion functions that also work on tensors, and their runtime names. */
const CONVERSIONS: Record<string, string> = { Number: 'toNumber', Boolean: 'toBoolean' };
/** Math functions whose argument, when it is a division, is computed as one integer-preserving division. */
const MATH_OF_QUOTIENT: Record<string, string> = { floor: 'floorDiv', trunc: 'truncDiv' };
const CONSOLE = new Set(['log', 'info', 'warn', 'error', 'debug']);

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = analyzeScopes(fn);
  const runtime = (name: string) => member(identifier(ctx.runtime), name);
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
      return call(runtime('printAdd'), [printable(arg.left), printable(arg.right)], arg.loc);
    }
    if (arg.type === 'TemplateLiteral') {
      const strings = array(arg.quasis.map((quasi) => literal(quasi.value.cooked ?? quasi.value.raw)));
      return call(runtime('printTemplate'), [strings, array(arg.expressions.map((e) => printable(e)))], arg.loc);
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
      if (node.type === 'MemberExpression' && !(parent?.type === 'CallExpression' && key === 'callee')) {
        const math = globalMethod(node, 'Math');
        if (math !== undefined && MATH.has(math)) this.replace({ ...runtime(math), loc: node.loc });
        return;
      }
      if (node.type !== 'CallExpression') return;
      const args = node.arguments;
      const math = globalMethod(node.callee, 'Math');
      if (math !== undefined && MATH.has(math)) {
        const [arg] = args;
        const quotient = MATH_OF_QUOTIENT[math];
        if (quotient && args.length === 1 && arg!.type === 'BinaryExpression' && arg!.operator === '/') {
          this.replace(call(runtime(quotient), [arg!.left as ESTree.Expression, arg!.right], node.loc));
        } else {
          this.replace(call(runtime(math), args, node.loc));
        }
        return;
      }
      if (node.callee.type === 'Identifier' && CONVERSIONS[node.callee.name] !== undefined) {
        const reference = scopes.referenceOf.get(node.callee);
        if (reference && reference.binding === null) {
          this.replace(call(runtime(CONVERSIONS[node.callee.name]!), args, node.loc));
        }
        return;
      }
      const method = globalMethod(node.callee, 'console');
      if (method === undefined || (!CONSOLE.has(method) && method !== 'assert')) return;
      const consoleId = (node.callee as ESTree.MemberExpression).object as ESTree.Expression;
      // The plain clone buffers every print, nested callbacks' too, so that a restart prints nothing twice.
      const inConvertedBody = ctx.plainClone || ctx.converted.has(functions[functions.length - 1]!);
      if (method === 'assert') {
        const assertArgs = [consoleId, array(args.map(printable))];
        // The plain clone's prints, this one too, are buffered until the run is known to finish.
        if (ctx.plainClone)
          this.replace(call(runtime('consoleCallPlain'), [consoleId, literal('assert'), assertArgs[1]!], node.loc));
        else if (inConvertedBody) this.replace(yieldDelegate(call(runtime('consoleAssert'), assertArgs, node.loc)));
        else this.replace(call(runtime('consoleAssertInCallback'), assertArgs, node.loc));
        return;
      }
      const printArgs = [consoleId, literal(method), array(args.map(printable))];
      // The plain clone prints synchronously, into the runtime's buffer; a callback cannot wait for a read.
      if (ctx.plainClone) this.replace(call(runtime('consoleCallPlain'), printArgs, node.loc));
      else if (inConvertedBody) this.replace(yieldDelegate(call(runtime('consoleCall'), printArgs, node.loc)));
      else this.replace(call(runtime('consoleCallInCallback'), printArgs, node.loc));
    },
  });
  return fn;
}
