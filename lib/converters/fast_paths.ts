// Fast paths: the last step of each back end puts native JavaScript back where a cheap inline test shows
// that no tensor can be involved. The decision stays the runtime's: a guard only skips its call.
//
//   ag__.getItem(x, i)               becomes   typeof i === "number" && ag__.isArray(x) ? x[i] : ag__.getItem(x, i)
//   ag__.lengthOf(x)                 becomes   ag__.isArray(x) ? x.length : ag__.lengthOf(x)
//   x = ag__.setPath(x, [i], v);     becomes   typeof i === "number" && ag__.isArray(x) ? x[i] = v : x = ag__.setPath(x, [i], v);
// and in the plain back end also number arithmetic and comparisons, guarded once on their leaves:
//   ag__.mod(ag__.add(s, i), 7)      becomes   typeof s === "number" && typeof i === "number" ? (s + i) % 7 : ag__.mod(...)
//   ag__.conditionPlain(ag__.less(i, n))   becomes   typeof i === "number" && typeof n === "number" ? i < n : ag__.conditionPlain(...)
//
// Last, so that no earlier pass has to tell these guards from the user's own conditions.

import type * as ESTree from 'estree';
import { cloneNode, walk } from '../codegen/ast.js';
import { allOf, assign, binary, call, conditional, identifier, literal, logical, typeOf } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';
import { BINARY_OPERATORS } from './lowering/overloaded_operators.js';
import { runtimeCallee } from './runtime_calls.js';

/** Each runtime operator of a binary operator, and the operator. */
const NATIVE_BINARY = new Map<string, ESTree.BinaryOperator>(
  Object.entries(BINARY_OPERATORS)
    .filter(([operator]) => operator !== 'in')
    .map(([operator, name]) => [name, operator as ESTree.BinaryOperator]),
);
const NATIVE_STEP: Record<string, ESTree.BinaryOperator> = { increment: '+', decrement: '-' };

const isNumberLiteral = (node: ESTree.Node): boolean =>
  (node.type === 'Literal' && typeof node.value === 'number') ||
  (node.type === 'UnaryExpression' && node.operator === '-' && isNumberLiteral(node.argument)) ||
  (node.type === 'BinaryExpression' && isNumberLiteral(node.left) && isNumberLiteral(node.right));

/** A value the native side may use as it is: a boolean by construction. */
const isNativeBoolean = (node: ESTree.Node): boolean =>
  (node.type === 'Literal' && typeof node.value === 'boolean') ||
  (node.type === 'UnaryExpression' && node.operator === '!') ||
  (node.type === 'LogicalExpression' &&
    node.operator !== '??' &&
    isNativeBoolean(node.left) &&
    isNativeBoolean(node.right));

export interface FastPathOptions {
  /** Also number arithmetic and comparisons (the plain back end). */
  numbers: boolean;
}

export function transform(
  fn: ESTree.FunctionExpression,
  ctx: ConversionContext,
  { numbers }: FastPathOptions,
): ESTree.FunctionExpression {
  /**
   * The native form of a tree of number operators, collecting the variables at its leaves; undefined
   * when some leaf is neither a variable nor a number literal.
   */
  const nativeTree = (node: ESTree.Node, leaves: Set<string>): ESTree.Expression | undefined => {
    if (node.type === 'Identifier') {
      leaves.add(node.name);
      return identifier(node.name);
    }
    if (isNumberLiteral(node)) return cloneNode(node as ESTree.Expression);
    const name = runtimeCallee(node, ctx);
    if (name === undefined) return undefined;
    const args = (node as ESTree.CallExpression).arguments;
    const operator = NATIVE_BINARY.get(name);
    if (operator && args.length === 2) {
      const left = nativeTree(args[0]!, leaves);
      const right = left && nativeTree(args[1]!, leaves);
      return right && binary(operator, left!, right);
    }
    const step = NATIVE_STEP[name];
    if (step && args.length === 1) {
      const operand = nativeTree(args[0]!, leaves);
      return operand && binary(step, operand, literal(1));
    }
    return undefined;
  };
  /**
   * `typeof a === "number" && ... ? native : viaRuntime` for a number tree, or `typeof flag === "boolean"
   * ? !flag : viaRuntime` for the negation of a variable (the lowering's flags); else undefined.
   */
  const numberPath = (tree: ESTree.Node, viaRuntime: ESTree.Expression): ESTree.Expression | undefined => {
    if (!numbers) return undefined;
    const name = runtimeCallee(tree, ctx);
    if (name === undefined) return undefined;
    const [operand] = (tree as ESTree.CallExpression).arguments;
    if (name === 'not' && operand?.type === 'Identifier') {
      const test = binary('===', typeOf(identifier(operand.name)), literal('boolean'));
      return conditional(
        test,
        { type: 'UnaryExpression', operator: '!', prefix: true, argument: identifier(operand.name) },
        viaRuntime,
        viaRuntime.loc,
      );
    }
    const leaves = new Set<string>();
    const native = nativeTree(tree, leaves);
    if (!native || leaves.size === 0) return undefined;
    const test = allOf([...leaves].map((name) => binary('===', typeOf(identifier(name)), literal('number'))));
    return conditional(test, native, viaRuntime, viaRuntime.loc);
  };

  const isSimpleIndex = (key: ESTree.Node) => key.type === 'Identifier' || isNumberLiteral(key);
  /** `typeof i === "number" && ag__.isArray(x)`: where native access has JavaScript's meaning. */
  const arrayIndexGuard = (object: ESTree.Identifier, key: ESTree.Expression): ESTree.Expression => {
    const isArray = call(ctx.operator('isArray'), [identifier(object.name)]);
    if (key.type !== 'Identifier') return isArray;
    return logical('&&', binary('===', typeOf(identifier(key.name)), literal('number')), isArray);
  };
  const memberOf = (object: ESTree.Identifier, key: ESTree.Expression): ESTree.MemberExpression => ({
    type: 'MemberExpression',
    object: identifier(object.name),
    property: cloneNode(key),
    computed: true,
    optional: false,
  });

  /** The store `x = ag__.setPath(x, [i], v)` or `ag__.setPath(x, [i], v, "x")`, guarded; else undefined. */
  const fastStore = (expression: ESTree.Expression): ESTree.Expression | undefined => {
    const store =
      expression.type === 'AssignmentExpression' && expression.operator === '=' ? expression.right : expression;
    if (runtimeCallee(store, ctx) !== 'setPath') return undefined;
    const [root, keys, value] = (store as ESTree.CallExpression).arguments;
    if (root?.type !== 'Identifier' || keys?.type !== 'ArrayExpression' || keys.elements.length !== 1) return undefined;
    const [key] = keys.elements;
    if (!key || key.type === 'SpreadElement' || !isSimpleIndex(key) || !value || value.type === 'SpreadElement') {
      return undefined;
    }
    const native = assign(memberOf(root, key), cloneNode(value));
    return conditional(arrayIndexGuard(root, key), native, expression, expression.loc);
  };

  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (node.type === 'ExpressionStatement') {
        const store = fastStore(node.expression);
        // The walk goes on into both sides: the stored value may hold reads of its own.
        if (store) node.expression = store;
        return;
      }
      const name = runtimeCallee(node, ctx);
      if (name === undefined) return;
      const args = (node as ESTree.CallExpression).arguments;
      const [first, second] = args;
      if (name === 'getItem' && first?.type === 'Identifier' && second && isSimpleIndex(second)) {
        const key = second as ESTree.Expression;
        this.replace(
          conditional(arrayIndexGuard(first, key), memberOf(first, key), node as ESTree.Expression, node.loc),
        );
        return this.skip();
      }
      if (name === 'lengthOf' && first?.type === 'Identifier') {
        const native: ESTree.MemberExpression = {
          type: 'MemberExpression',
          object: identifier(first.name),
          property: identifier('length'),
          computed: false,
          optional: false,
        };
        this.replace(
          conditional(
            call(ctx.operator('isArray'), [identifier(first.name)]),
            native,
            node as ESTree.Expression,
            node.loc,
          ),
        );
        return this.skip();
      }
      if (name === 'conditionPlain' && first && first.type !== 'SpreadElement') {
        // A condition that is a boolean by construction (a flag of the lowering) needs no guard at all.
        if (isNativeBoolean(first)) return this.replace(first);
        const path = numberPath(first, node as ESTree.Expression);
        if (path) {
          this.replace(path);
          return this.skip();
        }
        return;
      }
      const path = numberPath(node, node as ESTree.Expression);
      if (path) {
        this.replace(path);
        this.skip();
      }
    },
  });
  return fn;
}

export const staged = (fn: ESTree.FunctionExpression, ctx: ConversionContext) => transform(fn, ctx, { numbers: false });
export const plain = (fn: ESTree.FunctionExpression, ctx: ConversionContext) => transform(fn, ctx, { numbers: true });
