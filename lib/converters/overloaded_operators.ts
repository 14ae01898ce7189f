// Operators: arithmetic, comparison and equality become runtime calls that also work on tensors.
//
//   loss = a * a / 2;        becomes   loss = ag__.div(ag__.mul(a, a), 2);
//   n += 1;                  becomes   n = ag__.add(n, 1);
//
// On plain values each call is exactly the JavaScript operator. Operations on two literals stay as written.

import { cloneNode, COMPOUND_OPERATORS, walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { allOf, assign, binary, call, identifier, literal, member } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';

const BINARY: Partial<Record<ESTree.BinaryOperator, string>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '**': 'pow',
  '<': 'less',
  '<=': 'lessEqual',
  '>': 'greater',
  '>=': 'greaterEqual',
  '==': 'equal',
  '!=': 'notEqual',
  '===': 'strictEqual',
  '!==': 'strictNotEqual',
  '&': 'bitAnd',
  '|': 'bitOr',
  '^': 'bitXor',
  '<<': 'shiftLeft',
  '>>': 'shiftRight',
  '>>>': 'shiftRightUnsigned',
  in: 'inOperator',
};

/** `!` in converted bodies is logical_expressions' already; here it is the `!` of nested functions. */
const UNARY: Partial<Record<ESTree.UnaryOperator, string>> = { '-': 'neg', '+': 'pos', '~': 'bitNot', '!': 'not' };

const isLiteral = (node: ESTree.Node) =>
  node.type === 'Literal' || (node.type === 'UnaryExpression' && node.argument.type === 'Literal');

/**
 * In the plain clone, `typeof a === "number" && ... ? native : viaRuntime`: a tree of number arithmetic
 * runs as the native operators, guarded once on its leaves. The decision stays the operators': the guard
 * only skips the calls when no tensor can be involved.
 */
function guardedTree(
  native: ESTree.Expression,
  leaves: Set<string>,
  viaRuntime: ESTree.Expression,
  fastPaths: WeakSet<ESTree.Node>,
): ESTree.Expression {
  const test = allOf([...leaves].map((name) => binary('===', typeofExpression(identifier(name)), literal('number'))));
  const fastPath: ESTree.ConditionalExpression = {
    type: 'ConditionalExpression',
    test,
    consequent: native,
    alternate: viaRuntime,
  };
  fastPaths.add(fastPath);
  return fastPath;
}

const typeofExpression = (argument: ESTree.Expression): ESTree.UnaryExpression => ({
  type: 'UnaryExpression',
  operator: 'typeof',
  prefix: true,
  argument,
});

/**
 * The variables at the leaves of an arithmetic or comparison tree whose leaves are all number variables
 * or number literals, such as `i % 3 == 0`; undefined for any other expression.
 */
function numberLeaves(node: ESTree.Node, out = new Set<string>()): Set<string> | undefined {
  if (node.type === 'Identifier') return out.add(node.name);
  if (node.type === 'Literal') return typeof node.value === 'number' ? out : undefined;
  if (
    node.type !== 'BinaryExpression' ||
    !BINARY[node.operator] ||
    node.operator === 'in' ||
    node.left.type === 'PrivateIdentifier'
  ) {
    return undefined;
  }
  return numberLeaves(node.left, out) && numberLeaves(node.right, out);
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const runtime = (name: string) => member(identifier(ctx.runtime), name);
  // In the plain clone, a whole tree of number arithmetic and comparisons (also the `x op y` of `x op= y`
  // and `x++`) gets one inline guard on its leaves; its native copy is kept here on the way down, before
  // its parts become runtime calls.
  const nativeTrees = new WeakMap<ESTree.Node, { native: ESTree.Expression; leaves: Set<string> }>();
  const keepNative = (node: ESTree.Node, native: ESTree.Expression) => {
    const leaves = numberLeaves(native);
    if (leaves && leaves.size > 0) nativeTrees.set(node, { native: cloneNode(native), leaves });
  };
  const fastPath = (node: ESTree.Node, viaRuntime: ESTree.Expression) => {
    const tree = nativeTrees.get(node);
    return tree ? guardedTree(tree.native, tree.leaves, viaRuntime, ctx.numberFastPaths) : viaRuntime;
  };
  walk(fn as ESTree.Node, {
    enter(node, parent, key) {
      // An inline type guard's test is plain JavaScript by construction.
      if (parent && ctx.typeGuards.has(parent) && key === 'test') return this.skip();
      if (!ctx.plainClone) return;
      if (node.type === 'BinaryExpression' && !(parent && numberLeaves(parent))) keepNative(node, node);
      const compound =
        node.type === 'AssignmentExpression' && node.left.type === 'Identifier' && COMPOUND_OPERATORS[node.operator];
      if (compound) {
        const target = (node as ESTree.AssignmentExpression).left as ESTree.Identifier;
        const operator = (node as ESTree.AssignmentExpression).operator.slice(0, -1) as ESTree.BinaryOperator;
        keepNative(node, binary(operator, identifier(target.name), (node as ESTree.AssignmentExpression).right));
      }
      if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        keepNative(node, binary(node.operator === '++' ? '+' : '-', identifier(node.argument.name), literal(1)));
      }
    },
    leave(node, parent, key) {
      if (node.type === 'BinaryExpression') {
        const operator = BINARY[node.operator];
        if (!operator || (isLiteral(node.left) && isLiteral(node.right))) return;
        this.replace(fastPath(node, call(runtime(operator), [node.left as ESTree.Expression, node.right], node.loc)));
      } else if (node.type === 'TemplateLiteral' && parent?.type !== 'TaggedTemplateExpression') {
        // A tensor in a template would be read synchronously by its toString: `ag__.text` refuses it.
        node.expressions = node.expressions.map((expression) => call(runtime('text'), [expression], expression.loc));
      } else if (node.type === 'UnaryExpression' && UNARY[node.operator] && node.argument.type !== 'Literal') {
        this.replace(call(runtime(UNARY[node.operator]!), [node.argument], node.loc));
      } else if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
        const operator = COMPOUND_OPERATORS[node.operator];
        if (!operator) return;
        const viaRuntime = call(runtime(operator), [identifier(node.left.name), node.right], node.loc);
        this.replace({ ...assign(node.left, fastPath(node, viaRuntime)), loc: node.loc });
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        const valueUnused =
          parent?.type === 'ExpressionStatement' || (parent?.type === 'ForStatement' && key === 'update');
        const operator = node.operator === '++' ? 'increment' : 'decrement';
        const viaRuntime = call(runtime(operator), [identifier(node.argument.name)], node.loc);
        const update = { ...assign(node.argument, fastPath(node, viaRuntime)), loc: node.loc };
        // `x++` used as a value is the old value, as a number: `ag__.postfix(x, x = ag__.increment(x))`
        // reads it before the update, in argument order.
        this.replace(
          node.prefix || valueUnused
            ? update
            : call(runtime('postfix'), [identifier(node.argument.name), update], node.loc),
        );
      }
    },
  });
  return fn;
}
