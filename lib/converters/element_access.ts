// Element access: `x[i]`, `x.length`, and updates of members become runtime calls that also work on tensors.
//
//   y = x[i];                becomes   y = typeof i === "number" && ag__.isArray(x) ? x[i] : ag__.getItem(x, i);
//   n = x.length;            becomes   n = ag__.isArray(x) ? x.length : ag__.lengthOf(x);
//   x[i] = v;                becomes   if (typeof i === "number" && ag__.isArray(x)) x[i] = v; else x = ag__.setItem(x, i, v);
//   m[j][i] += 1;            becomes   m = ag__.setItem(m, j, ag__.updateItem(ag__.getItem(m, j), i, "add", 1));
//   o.count++;               becomes   o.count = ag__.increment(o.count);
//
// On a tensor, an element update makes a new tensor and binds it where the old one was; analysis counts
// `x[i] = v` as a write of `x` for that reason. The inline guards only let arrays skip the runtime call:
// the decision stays the runtime's. An update whose value is used, or whose target cannot be re-evaluated
// without side effects, goes through `ag__.assignMember`, which computes it once and refuses tensors.
//
// Runs after the control-flow passes (whose analysis already knows what an element update writes) and
// before builtin_calls and operators, which then convert what this pass leaves in the values.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import { analyzeScopes } from '../analysis/scopes.js';
import { assign, binary, call, identifier, literal, logical, member } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';

/** The runtime operator each compound assignment applies. */
const COMPOUND: Partial<Record<ESTree.AssignmentOperator, string>> = {
  '+=': 'add',
  '-=': 'sub',
  '*=': 'mul',
  '/=': 'div',
  '%=': 'mod',
  '**=': 'pow',
  '&=': 'bitAnd',
  '|=': 'bitOr',
  '^=': 'bitXor',
  '<<=': 'shiftLeft',
  '>>=': 'shiftRight',
  '>>>=': 'shiftRightUnsigned',
};

type Member = ESTree.MemberExpression & { object: ESTree.Expression; property: ESTree.Expression };

const isMember = (node: ESTree.Node): node is Member =>
  node.type === 'MemberExpression' &&
  node.object.type !== 'Super' &&
  node.property.type !== 'PrivateIdentifier' &&
  !node.optional;

/** An expression that can be evaluated again with no effect but a getter's: names, literals, member chains. */
function isSimple(node: ESTree.Node): boolean {
  if (node.type === 'Identifier' || node.type === 'ThisExpression' || node.type === 'Literal') return true;
  if (!isMember(node)) return false;
  return isSimple(node.object) && (!node.computed || isSimple(node.property));
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = analyzeScopes(fn);
  const runtime = (name: string) => member(identifier(ctx.runtime), name);
  const clone = <T extends ESTree.Node>(node: T): T => structuredClone(node);
  /** Member expressions this pass wrote as assignment targets or update receivers: never reads. */
  const targets = new WeakSet<ESTree.Node>();
  const isConst = (id: ESTree.Identifier) => scopes.referenceOf.get(id)?.binding?.kind === 'const';
  const keyOf = (target: Member): ESTree.Expression =>
    target.computed ? target.property : literal((target.property as ESTree.Identifier).name);

  /**
   * The statement that stores `value` where `target` is, rebinding along a chain of computed members:
   * `m[j] = row` is `m = ag__.setItem(m, j, row)`, so that on a tensor `m` gets the new tensor.
   */
  const store = (
    target: ESTree.Expression,
    value: ESTree.Expression,
    loc: ESTree.SourceLocation | null | undefined,
  ) => {
    if (target.type === 'Identifier') return assign(target, value);
    const m = target as Member;
    if (!m.computed) {
      targets.add(m);
      return assign(m, value);
    }
    const updated = call(runtime('setItem'), [readOf(m.object), m.property, value], loc);
    if (m.object.type === 'Identifier' && isConst(m.object)) {
      updated.arguments.push(literal(m.object.name));
      return updated;
    }
    return store(m.object, updated, loc);
  };
  /** A fresh copy of `node` to read, as the reads below will convert it. */
  const readOf = (node: ESTree.Expression): ESTree.Expression => clone(node);

  /** `target op= value` or `target++` as a statement; undefined when it must go through assignMember. */
  const updateStatement = (
    target: Member,
    op: string,
    value: ESTree.Expression | undefined,
    loc: ESTree.SourceLocation | null | undefined,
  ): ESTree.Expression | undefined => {
    if (!isSimple(target.object)) return undefined;
    if (!target.computed) {
      const read = clone(target);
      return store(target, call(runtime(op), value ? [read, value] : [read], loc), loc);
    }
    const args = [readOf(target.object), target.property, literal(op)];
    if (value) args.push(value);
    if (target.object.type === 'Identifier' && isConst(target.object)) {
      if (!value) args.push(identifier('undefined'));
      args.push(literal(target.object.name));
      return call(runtime('updateItem'), args, loc);
    }
    return store(target.object, call(runtime('updateItem'), args, loc), loc);
  };

  const isIndexSimple = (key: ESTree.Node) => key.type === 'Identifier' || key.type === 'Literal';
  /** `typeof i === "number" && ag__.isArray(x)`: where native access has JavaScript's meaning. */
  const arrayIndexGuard = (object: ESTree.Identifier, key: ESTree.Expression): ESTree.Expression => {
    const isArray = call(runtime('isArray'), [identifier(object.name)]);
    if (key.type === 'Literal' && typeof key.value === 'number') return isArray;
    const type: ESTree.UnaryExpression = {
      type: 'UnaryExpression',
      operator: 'typeof',
      prefix: true,
      argument: clone(key),
    };
    return logical('&&', binary('===', type, literal('number')), isArray);
  };
  /** `guard ? native : viaRuntime`, registered so that later passes leave the guard's test alone. */
  const guarded = (
    test: ESTree.Expression,
    native: ESTree.Expression,
    viaRuntime: ESTree.Expression,
    loc: ESTree.SourceLocation | null | undefined,
  ): ESTree.ConditionalExpression => {
    const guard: ESTree.ConditionalExpression = {
      type: 'ConditionalExpression',
      test,
      consequent: native,
      alternate: viaRuntime,
      loc,
    };
    ctx.typeGuards.add(guard);
    return guard;
  };

  /** `x[i] = v` as a statement: arrays store natively, anything else through the runtime. */
  const assignStatement = (target: Member, value: ESTree.Expression, loc: ESTree.SourceLocation | null | undefined) => {
    const { object, property } = target;
    if (!isSimple(object)) return undefined;
    if (object.type !== 'Identifier' || !isIndexSimple(property)) return store(target, value, loc);
    const native = clone(target);
    targets.add(native);
    return guarded(arrayIndexGuard(object, property), assign(native, clone(value)), store(target, value, loc), loc);
  };

  // Pass 1: assignments and updates of members.
  walk(fn as ESTree.Node, {
    leave(node, parent, key) {
      const statement =
        (parent?.type === 'ExpressionStatement' && key === 'expression') ||
        (parent?.type === 'ForStatement' && key === 'update');
      let replacement: ESTree.Expression | undefined;
      if (node.type === 'AssignmentExpression' && isMember(node.left)) {
        const target = node.left;
        if (targets.has(target)) return;
        if (node.operator === '=') {
          if (!target.computed) return;
          replacement =
            (statement ? assignStatement(target, node.right, node.loc) : undefined) ??
            call(runtime('assignMember'), [target.object, keyOf(target), literal(''), node.right], node.loc);
        } else {
          const op = COMPOUND[node.operator];
          if (!op) return;
          replacement =
            (statement ? updateStatement(target, op, node.right, node.loc) : undefined) ??
            call(runtime('assignMember'), [target.object, keyOf(target), literal(op), node.right], node.loc);
        }
      } else if (node.type === 'UpdateExpression' && isMember(node.argument)) {
        const target = node.argument;
        const op = node.operator === '++' ? 'increment' : 'decrement';
        replacement =
          (statement ? updateStatement(target, op, undefined, node.loc) : undefined) ??
          call(
            runtime('assignMember'),
            [target.object, keyOf(target), literal(op), identifier('undefined'), literal(node.prefix)],
            node.loc,
          );
      }
      if (replacement) {
        replacement.loc = node.loc;
        this.replace(replacement);
      }
    },
  });

  // Pass 2: reads.
  walk(fn as ESTree.Node, {
    enter(node, parent, key) {
      // Destructuring targets and for-in/of heads assign as written.
      if (
        node.type === 'ArrayPattern' ||
        node.type === 'ObjectPattern' ||
        ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && key === 'left') ||
        (parent && ctx.typeGuards.has(parent) && key === 'test')
      ) {
        this.skip();
      }
    },
    leave(node, parent, key) {
      if (!isMember(node) || targets.has(node)) return;
      if (parent?.type === 'AssignmentExpression' && key === 'left') return;
      if (parent?.type === 'UpdateExpression') return;
      if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && key === 'callee') return;
      if (parent?.type === 'TaggedTemplateExpression' && key === 'tag') return;
      if (parent?.type === 'UnaryExpression' && parent.operator === 'delete') return;
      if (parent?.type === 'ChainExpression') return;
      const { object, property } = node;
      if (node.computed) {
        const viaRuntime = call(runtime('getItem'), [object, property], node.loc);
        if (object.type !== 'Identifier' || !isIndexSimple(property)) return this.replace(viaRuntime);
        const native = { ...node };
        targets.add(native);
        return this.replace(guarded(arrayIndexGuard(object, property), native, viaRuntime, node.loc));
      }
      if (property.type !== 'Identifier' || property.name !== 'length') return;
      const viaRuntime = call(runtime('lengthOf'), [object], node.loc);
      if (object.type !== 'Identifier') return this.replace(viaRuntime);
      const native = { ...node };
      targets.add(native);
      return this.replace(guarded(call(runtime('isArray'), [identifier(object.name)]), native, viaRuntime, node.loc));
    },
  });
  return fn;
}
