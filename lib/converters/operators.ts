// Operators: arithmetic, comparison and equality become runtime calls that also work on tensors.
//
//   loss = a * a / 2;        becomes   loss = ag__.div(ag__.mul(a, a), 2);
//   n += 1;                  becomes   n = ag__.add(n, 1);
//
// On plain values each call is exactly the JavaScript operator. Operations on two literals stay as written.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import { assign, call, identifier, member } from '../codegen/builders.js';
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
};

const COMPOUND: Partial<Record<ESTree.AssignmentOperator, string>> = {
  '+=': 'add',
  '-=': 'sub',
  '*=': 'mul',
  '/=': 'div',
  '%=': 'mod',
  '**=': 'pow',
};

const isLiteral = (node: ESTree.Node) =>
  node.type === 'Literal' || (node.type === 'UnaryExpression' && node.argument.type === 'Literal');

/** An operand that can be read twice at no cost and with no effect. */
const isSimple = (node: ESTree.Node): node is ESTree.Identifier | ESTree.Literal =>
  node.type === 'Identifier' || (node.type === 'Literal' && typeof node.value === 'number');

/**
 * In the plain clone, `a % b` on two number variables runs as the native operator, guarded inline:
 * `typeof a === "number" && typeof b === "number" ? a % b : ag__.mod(a, b)`. The decision stays the
 * operator's: the guard only skips the call when no tensor can be involved.
 */
/** `typeof a === "number" && typeof b === "number" ? native : viaRuntime`, registered as a fast path. */
function guardedTree(native: ESTree.Expression, leaves: Set<string>, viaRuntime: ESTree.Expression): ESTree.Expression {
  const checks: ESTree.Expression[] = [...leaves].map((name) => ({
    type: 'BinaryExpression',
    operator: '===',
    left: { type: 'UnaryExpression', operator: 'typeof', prefix: true, argument: identifier(name) },
    right: { type: 'Literal', value: 'number' },
  }));
  const test = checks
    .slice(1)
    .reduce<ESTree.Expression>(
      (all, check) => ({ type: 'LogicalExpression', operator: '&&', left: all, right: check }),
      checks[0]!,
    );
  const fastPath: ESTree.ConditionalExpression = {
    type: 'ConditionalExpression',
    test,
    consequent: native,
    alternate: viaRuntime,
  };
  numberFastPaths.add(fastPath);
  return fastPath;
}

/** The fast paths this pass made, so that the plain clone's guards can wrap only their runtime side. */
export const numberFastPaths = new WeakSet<ESTree.Node>();

function numberFastPath(node: ESTree.BinaryExpression, viaRuntime: ESTree.Expression): ESTree.Expression {
  const { left, right } = node;
  if (left.type === 'PrivateIdentifier' || !isSimple(left) || !isSimple(right)) return viaRuntime;
  const isNumber = (operand: ESTree.Identifier | ESTree.Literal): ESTree.Expression | null =>
    operand.type === 'Literal'
      ? null
      : {
          type: 'BinaryExpression',
          operator: '===',
          left: { type: 'UnaryExpression', operator: 'typeof', prefix: true, argument: operand },
          right: { type: 'Literal', value: 'number' },
        };
  const checks = [isNumber(left), isNumber(right)].filter((check): check is ESTree.Expression => check !== null);
  const test = checks.reduce<ESTree.Expression>(
    (all, check) => ({ type: 'LogicalExpression', operator: '&&', left: all, right: check }),
    checks.shift()!,
  );
  const fastPath: ESTree.ConditionalExpression = {
    type: 'ConditionalExpression',
    test,
    consequent: { ...node },
    alternate: viaRuntime,
  };
  numberFastPaths.add(fastPath);
  return fastPath;
}

/**
 * The variables at the leaves of an arithmetic or comparison tree whose leaves are all number variables
 * or number literals, such as `i % 3 == 0`; undefined for any other expression.
 */
function numberLeaves(node: ESTree.Node, out = new Set<string>()): Set<string> | undefined {
  if (node.type === 'Identifier') return out.add(node.name);
  if (node.type === 'Literal') return typeof node.value === 'number' ? out : undefined;
  if (node.type !== 'BinaryExpression' || !BINARY[node.operator] || node.left.type === 'PrivateIdentifier') {
    return undefined;
  }
  return numberLeaves(node.left, out) && numberLeaves(node.right, out);
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const runtime = (name: string) => member(identifier(ctx.runtime), name);
  // In the plain clone, a whole tree of number arithmetic and comparisons gets one inline guard on its
  // leaves; its native copy is kept here on the way down, before its parts become runtime calls.
  const nativeTrees = new WeakMap<ESTree.Node, { native: ESTree.Expression; leaves: Set<string> }>();
  walk(fn as ESTree.Node, {
    enter(node, parent) {
      if (!ctx.plainClone || node.type !== 'BinaryExpression') return;
      if (parent && numberLeaves(parent)) return;
      const leaves = numberLeaves(node);
      if (leaves && leaves.size > 0) nativeTrees.set(node, { native: structuredClone(node), leaves });
    },
    leave(node, parent, key) {
      if (node.type === 'BinaryExpression') {
        const operator = BINARY[node.operator];
        if (!operator || (isLiteral(node.left) && isLiteral(node.right))) return;
        const viaRuntime = call(runtime(operator), [node.left as ESTree.Expression, node.right], node.loc);
        const tree = nativeTrees.get(node);
        this.replace(tree ? guardedTree(tree.native, tree.leaves, viaRuntime) : viaRuntime);
      } else if (node.type === 'UnaryExpression' && node.operator === '-' && node.argument.type !== 'Literal') {
        this.replace(call(runtime('neg'), [node.argument], node.loc));
      } else if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
        const operator = COMPOUND[node.operator];
        if (!operator) return;
        const viaRuntime = call(runtime(operator), [identifier(node.left.name), node.right], node.loc);
        const binary: ESTree.BinaryExpression = {
          type: 'BinaryExpression',
          operator: node.operator.slice(0, -1) as ESTree.BinaryOperator,
          left: identifier(node.left.name),
          right: node.right,
        };
        const value = ctx.plainClone ? numberFastPath(binary, viaRuntime) : viaRuntime;
        this.replace({ ...assign(node.left, value), loc: node.loc });
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        // The old value of `x++` is only needed when the expression's value is used; that case comes
        // with the rest of the increment forms.
        const valueUnused =
          parent?.type === 'ExpressionStatement' || (parent?.type === 'ForStatement' && key === 'update');
        if (!node.prefix && !valueUnused) return;
        const operator = node.operator === '++' ? 'increment' : 'decrement';
        const viaRuntime = call(runtime(operator), [identifier(node.argument.name)], node.loc);
        const binary: ESTree.BinaryExpression = {
          type: 'BinaryExpression',
          operator: node.operator === '++' ? '+' : '-',
          left: identifier(node.argument.name),
          right: { type: 'Literal', value: 1 },
        };
        const value = ctx.plainClone ? numberFastPath(binary, viaRuntime) : viaRuntime;
        this.replace({ ...assign(node.argument, value), loc: node.loc });
      }
    },
  });
  return fn;
}
