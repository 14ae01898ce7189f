// Element access: `x[i]`, `x.length`, and updates of members become runtime calls that also work on tensors.
//
//   y = x[i];                becomes   y = ag__.getItem(x, i);
//   n = x.length;            becomes   n = ag__.lengthOf(x);
//   x[i] = v;                becomes   x = ag__.setPath(x, [i], v);
//   m[j][i] += 1;            becomes   m = ag__.updatePath(ag__.pathRef(m, [j, i], true), "add", 1);
//   o.count++;               becomes   o.count = ag__.increment(o.count);
//   [x[i], x[j]] = [a, b];   becomes   { let element_, element__1; [element_, element__1] = [a, b];
//                                        x = ag__.setPath(x, [i], element_); x = ag__.setPath(x, [j], element__1); }
//
// On a tensor, an element update makes a new tensor and binds it where the old one was, so the update is
// written as an assignment of `x`, which analysis then sees as any other write. On an array the runtime
// stores in place and returns the array itself. The back ends put the native access back behind an
// inline guard for arrays (converters/fast_paths.ts). An update whose value is used, or whose target
// cannot be re-evaluated without side effects, goes through `ag__.assignPath`, which computes it once and
// refuses tensors.
//
// The last step of the common lowering: after overloaded_operators, which leaves member updates to it,
// and after call_trees, so that a method call's receiver is not read as an element first.

import { cloneNode, COMPOUND_OPERATORS, walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isRereadable } from '../../analysis/effects.js';
import {
  array,
  assign,
  block,
  call,
  expressionStatement,
  identifier,
  letDeclaration,
  literal,
} from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

type Member = ESTree.MemberExpression & { object: ESTree.Expression; property: ESTree.Expression };

const isMember = (node: ESTree.Node): node is Member =>
  node.type === 'MemberExpression' &&
  node.object.type !== 'Super' &&
  node.property.type !== 'PrivateIdentifier' &&
  !node.optional;

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = ctx.scopesOf(fn);
  const clone = <T extends ESTree.Node>(node: T): T => cloneNode(node);
  /** Member expressions this pass wrote as assignment targets or update receivers: never reads. */
  const targets = new Set<ESTree.Node>();
  /** Names an element update cannot rebind: consts, and names the function does not declare. */
  const fixedName = (id: ESTree.Identifier) => {
    const binding = scopes.referenceOf.get(id)?.binding;
    return !binding || binding.kind === 'const';
  };

  /**
   * A member target as a root and the keys down to it: `self.w[i]` is `self` and ["w", i]. Undefined
   * when the target has no computed key (`o.p`, stored natively) or cannot be walked (optional, super).
   */
  const pathOf = (target: Member): { root: ESTree.Expression; keys: ESTree.Expression[] } | undefined => {
    const keys: ESTree.Expression[] = [];
    let node: ESTree.Expression = target;
    let computed = false;
    while (isMember(node)) {
      keys.unshift(node.computed ? node.property : literal((node.property as ESTree.Identifier).name));
      computed ||= node.computed;
      node = node.object;
    }
    if ((node as ESTree.Node).type === 'Super' || node.type === 'MemberExpression') return undefined;
    return computed ? { root: node, keys } : undefined;
  };

  /**
   * `root = ag__.<fn>(root, ...)` when the root is a variable an update may rebind (on a tensor, the new
   * tensor); otherwise the call alone, told the root's name so that a tensor there is a clear error.
   */
  const rebinding = (
    root: ESTree.Expression,
    fn: string,
    args: ESTree.Expression[],
    loc: ESTree.SourceLocation | null | undefined,
  ): ESTree.Expression => {
    const rebindable = root.type === 'Identifier' && !fixedName(root);
    const name =
      root.type === 'Identifier'
        ? (ctx.userNames.get(root.name) ?? root.name)
        : root.type === 'ThisExpression'
          ? 'this'
          : 'the object';
    const updated = call(ctx.operator(fn), rebindable ? args : [...args, literal(name)], loc);
    return rebindable ? assign(identifier((root as ESTree.Identifier).name), updated) : updated;
  };

  /** `target = value` as a statement: `x = ag__.setPath(x, [i], v)`, or undefined when it stays native. */
  const storeStatement = (target: Member, value: ESTree.Expression, loc: ESTree.SourceLocation | null | undefined) => {
    const path = pathOf(target);
    if (!path) return undefined;
    return rebinding(path.root, 'setPath', [clone(path.root), array(path.keys), value], loc);
  };

  /**
   * A reference to `target` that reads its old value before the right-hand side runs, as JavaScript
   * does: `ag__.pathRef(root, [keys], readOld)`.
   */
  const reference = (path: { root: ESTree.Expression; keys: ESTree.Expression[] }, readOld: boolean) =>
    call(ctx.operator('pathRef'), [clone(path.root), array(path.keys), literal(readOld)]);

  /**
   * An assignment (`op` empty) or update of a member. As a statement it may rebind the root when the
   * element is a tensor's; as a value it goes through `ag__.assignPath`, which refuses that.
   */
  const update = (
    target: Member,
    op: string,
    value: ESTree.Expression | undefined,
    statement: boolean,
    prefix: boolean,
    loc: ESTree.SourceLocation | null | undefined,
  ): ESTree.Expression | undefined => {
    const path = pathOf(target);
    if (!path) {
      // No computed key: `o.p = v` stays native; `o.p += v` reads o.p first when o can be read twice.
      if (op === '') return undefined;
      if (statement && isRereadable(target.object)) {
        const read = clone(target);
        targets.add(target);
        return assign(target, call(ctx.operator(op), value ? [read, value] : [read], loc));
      }
    }
    const where = path ?? {
      root: target.object,
      keys: [target.computed ? target.property : literal((target.property as ESTree.Identifier).name)],
    };
    if (statement && op === '' && path) return storeStatement(target, value!, loc);
    const args = value ? [literal(op), value] : [literal(op)];
    if (statement && path) return rebinding(where.root, 'updatePath', [reference(where, true), ...args], loc);
    const valueArgs = value ? [literal(op), value] : [literal(op), identifier('undefined')];
    return call(ctx.operator('assignPath'), [reference(where, op !== ''), ...valueArgs, literal(prefix)], loc);
  };

  /**
   * `[x[j], x[k]] = [x[k], x[j]];`: the pattern's element targets become fresh names, each then stored
   * with an assignment of its own, which the walk goes on to lower like any other:
   * `{ let v, j1, k1, t1, t2; v = [x[k], x[j]]; j1 = j; k1 = k; [t1, t2] = v; x[j1] = t1; x[k1] = t2; }`.
   * Other targets stay in the pattern.
   */
  const splitDestructuring = (statement: ESTree.ExpressionStatement): ESTree.BlockStatement | undefined => {
    const assignment = statement.expression;
    if (assignment.type !== 'AssignmentExpression' || assignment.operator !== '=') return undefined;
    if (assignment.left.type !== 'ArrayPattern' && assignment.left.type !== 'ObjectPattern') return undefined;
    const stores: ESTree.Statement[] = [];
    const names: string[] = [];
    // Keys that are not literals are read after the right-hand side and before any target is written,
    // as JavaScript reads `a[i]` before a later target of the same pattern assigns `i`.
    const keys: ESTree.Statement[] = [];
    const snapshotKeys = (member: ESTree.Expression): void => {
      for (let node = member; isMember(node); node = node.object) {
        if (!node.computed || node.property.type === 'Literal') continue;
        const key = ctx.namer.fresh('key_');
        names.push(key);
        keys.push(expressionStatement(assign(identifier(key), node.property), node.property.loc));
        node.property = identifier(key);
      }
    };
    const target = (node: ESTree.Pattern): ESTree.Pattern => {
      switch (node.type) {
        case 'MemberExpression': {
          if (!isMember(node) || !pathOf(node)) return node;
          const name = ctx.namer.fresh('element_');
          names.push(name);
          snapshotKeys(node);
          stores.push(expressionStatement(assign(node, identifier(name)), node.loc));
          return identifier(name);
        }
        case 'ArrayPattern':
          return { ...node, elements: node.elements.map((element) => element && target(element)) };
        case 'ObjectPattern':
          return {
            ...node,
            properties: node.properties.map((property) =>
              property.type === 'Property'
                ? { ...property, value: target(property.value) }
                : { ...property, argument: target(property.argument) },
            ),
          };
        case 'AssignmentPattern':
          return { ...node, left: target(node.left) };
        case 'RestElement':
          return { ...node, argument: target(node.argument) };
        default:
          return node;
      }
    };
    const left = target(assignment.left);
    if (stores.length === 0) return undefined;
    if (keys.length === 0) {
      return block([letDeclaration(names), expressionStatement({ ...assignment, left }, statement.loc), ...stores]);
    }
    const value = ctx.namer.fresh('value_');
    return block([
      letDeclaration([value, ...names]),
      expressionStatement(assign(identifier(value), assignment.right), assignment.right.loc),
      ...keys,
      expressionStatement({ ...assignment, left, right: identifier(value) }, statement.loc),
      ...stores,
    ]);
  };

  // Pass 1: assignments and updates of members.
  walk(fn as ESTree.Node, {
    enter(node) {
      if (node.type !== 'ExpressionStatement') return;
      const split = splitDestructuring(node);
      if (split) this.replace(split);
    },
    leave(node, parent, key) {
      const statement =
        (parent?.type === 'ExpressionStatement' && key === 'expression') ||
        (parent?.type === 'ForStatement' && key === 'update');
      let replacement: ESTree.Expression | undefined;
      if (node.type === 'AssignmentExpression' && isMember(node.left)) {
        const target = node.left;
        if (targets.has(target)) return;
        const op = node.operator === '=' ? '' : COMPOUND_OPERATORS[node.operator];
        if (op === undefined) return;
        replacement = update(target, op, node.right, statement, true, node.loc);
      } else if (node.type === 'UpdateExpression' && isMember(node.argument)) {
        const op = node.operator === '++' ? 'increment' : 'decrement';
        replacement = update(node.argument, op, undefined, statement, node.prefix, node.loc);
      }
      if (replacement) {
        replacement.loc = node.loc;
        this.replace(replacement);
      }
    },
  });

  /** `x[i]` or `x.length` as a runtime read; undefined for other members. */
  const readOf = (node: Member): ESTree.Expression | undefined => {
    const { object, property } = node;
    if (node.computed) return call(ctx.operator('getItem'), [object, property], node.loc);
    if (property.type !== 'Identifier' || property.name !== 'length') return undefined;
    return call(ctx.operator('lengthOf'), [object], node.loc);
  };

  // Pass 2: reads.
  walk(fn as ESTree.Node, {
    enter(node, parent, key) {
      // Destructuring targets and for-in/of heads assign as written.
      if (
        node.type === 'ArrayPattern' ||
        node.type === 'ObjectPattern' ||
        ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && key === 'left')
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
      const read = readOf(node);
      if (read) this.replace(read);
    },
  });
  return fn;
}
