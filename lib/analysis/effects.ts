// Effects analysis: whether running a function twice from the start is unobservable outside it.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { TF_STATEFUL } from './globals.js';
import { isFunctionNode, patternIdentifiers, type Binding, type ScopeInfo } from './scopes.js';

const PURE_GLOBAL_CALLS = new Set(['Number', 'Boolean', 'String', 'parseInt', 'parseFloat', 'isNaN', 'isFinite']);
const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'assert']);
/** autograph's functions whose calls a second run may repeat: lists and asserts. */
const AUTOGRAPH_PURE = new Set(['assert', 'setElementType', 'stack']);

/** Global constructors whose new objects hold nothing from outside, and what they make. */
const FRESH_CONSTRUCTORS: Record<string, FreshKind> = {
  Array: 'array',
  Float32Array: 'array',
  Float64Array: 'array',
  Int32Array: 'array',
  Uint8Array: 'array',
  Map: 'collection',
  Set: 'collection',
  Object: 'object',
};
/** Methods of arrays and typed arrays that change or read only the receiver (callbacks are walked anyway). */
const ARRAY_METHODS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'fill',
  'slice',
  'splice',
  'map',
  'filter',
  'reduce',
  'reduceRight',
  'forEach',
  'indexOf',
  'lastIndexOf',
  'includes',
  'join',
  'concat',
  'reverse',
  'sort',
  'at',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'some',
  'every',
  'keys',
  'values',
  'entries',
  'flat',
  'flatMap',
  'copyWithin',
  'subarray',
  'set',
]);
/** Array methods whose result is a new array, or the receiver itself. */
const ARRAY_RESULTS = new Set([
  'fill',
  'slice',
  'splice',
  'map',
  'filter',
  'concat',
  'reverse',
  'sort',
  'flat',
  'flatMap',
  'copyWithin',
  'subarray',
]);
/** The array and collection methods that call their first argument. */
const CALLBACK_METHODS = new Set([
  'map',
  'forEach',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'sort',
]);

const COLLECTION_METHODS = new Set([
  'get',
  'set',
  'has',
  'add',
  'delete',
  'clear',
  'forEach',
  'keys',
  'values',
  'entries',
]);

type FreshKind = 'array' | 'object' | 'collection';

/** The kind of object `node` evaluates to when it is a new one holding nothing from outside. */
function freshExpression(node: ESTree.Node | null | undefined, scopes: ScopeInfo): FreshKind | undefined {
  const isFree = (id: ESTree.Node, name: string) =>
    id.type === 'Identifier' && id.name === name && scopes.referenceOf.get(id)?.binding === null;
  if (!node) return undefined;
  if (node.type === 'ArrayExpression') return 'array';
  if (node.type === 'ObjectExpression') return 'object';
  if (node.type === 'NewExpression' && node.callee.type === 'Identifier') {
    const kind = FRESH_CONSTRUCTORS[node.callee.name];
    return kind && isFree(node.callee, node.callee.name) ? kind : undefined;
  }
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && !node.callee.computed) {
    const { object, property } = node.callee;
    if (property.type !== 'Identifier') return undefined;
    if (isFree(object, 'Array') && (property.name === 'from' || property.name === 'of')) return 'array';
    if (ARRAY_RESULTS.has(property.name) && freshExpression(object, scopes) === 'array') return 'array';
  }
  return undefined;
}

/**
 * Variables that only ever hold objects this run created and nothing outside can see: `const a = []`,
 * `let m = new Map()`, `const b = new Array(n).fill(0)`. Writing to them directly (`a[i] = v`, `a.push(v)`)
 * changes nothing a second run from the start would see. An object literal's own methods may be the
 * user's functions, so only arrays and collections may have their methods called.
 */
function freshLocals(fn: ESTree.Function, scopes: ScopeInfo): Map<Binding, FreshKind> {
  const kinds = new Map<Binding, FreshKind>();
  const spoiled = new Set<Binding>();
  const freshKind = (node: ESTree.Node | null | undefined) => freshExpression(node, scopes);
  const note = (id: ESTree.Node, value: ESTree.Node | null | undefined) => {
    if (id.type !== 'Identifier') return;
    const binding = scopes.referenceOf.get(id)?.binding ?? declared.get(id);
    if (!binding) return;
    const kind = freshKind(value);
    if (!kind || (kinds.has(binding) && kinds.get(binding) !== kind)) spoiled.add(binding);
    else kinds.set(binding, kind);
  };
  const declared = new Map<ESTree.Node, Binding>();
  for (const reference of scopes.references)
    if (reference.binding) declared.set(reference.binding.id, reference.binding);
  /** Names a pattern assigns (`[a] = [p]`, `for (a of ...)`) hold whatever comes in: not fresh. */
  const spoil = (pattern: ESTree.Node) => {
    for (const id of patternIdentifiers(pattern as ESTree.Pattern)) note(id, null);
  };
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (node.type === 'VariableDeclarator') {
        if (node.id.type === 'Identifier') note(node.id, node.init);
        else spoil(node.id);
      } else if (node.type === 'AssignmentExpression') {
        if (node.left.type === 'Identifier') note(node.left, node.operator === '=' ? node.right : null);
        else spoil(node.left);
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') note(node.argument, null);
      else if (
        (node.type === 'ForOfStatement' || node.type === 'ForInStatement') &&
        node.left.type !== 'VariableDeclaration'
      ) {
        spoil(node.left);
      }
    },
  });
  // Parameters hold what the caller passed.
  for (const binding of spoiled) kinds.delete(binding);
  for (const binding of kinds.keys()) if (binding.kind === 'param') kinds.delete(binding);
  return kinds;
}

function containsMember(pattern: ESTree.Node): boolean {
  let found = false;
  walk(pattern, {
    enter(node) {
      if (node.type === 'MemberExpression') found = true;
    },
  });
  return found;
}

/**
 * Whether `fn` can be abandoned part-way and run again from the start with no difference outside it:
 * it assigns only its own variables, calls only tf's functions (not those that dispose, keep or configure),
 * Math, console's printing methods (which the runtime buffers) and a few pure globals, creates objects
 * only of a few built-in kinds, writes only to objects it created (see `freshLocals`), and does not wait. Conservative: anything else, a call to a user function included, is an
 * effect. The runtime runs such functions synchronously first and restarts them staged if a tensor
 * condition appears.
 */
export function isRestartable(fn: ESTree.Function, scopes: ScopeInfo): boolean {
  if (fn.async || fn.generator) return false;
  const isFree = (node: ESTree.Node, name: string) =>
    node.type === 'Identifier' && node.name === name && scopes.referenceOf.get(node)?.binding === null;
  const fresh = freshLocals(fn, scopes);
  /** The kind of fresh object `node` names, when it is a fresh local variable. */
  const freshObject = (node: ESTree.Node): FreshKind | undefined => {
    const binding = node.type === 'Identifier' ? scopes.referenceOf.get(node)?.binding : undefined;
    return binding ? fresh.get(binding) : freshExpression(node, scopes);
  };
  const ownMember = (node: ESTree.Node) => node.type === 'MemberExpression' && freshObject(node.object) !== undefined;
  let restartable = true;
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (!restartable) return this.skip();
      switch (node.type) {
        case 'NewExpression': {
          const { callee } = node;
          const builtIn =
            callee.type === 'Identifier' && isFree(callee, callee.name) && FRESH_CONSTRUCTORS[callee.name];
          if (!builtIn) restartable = false;
          return;
        }
        case 'AwaitExpression':
        case 'YieldExpression':
        case 'TaggedTemplateExpression':
        case 'ImportExpression':
          restartable = false;
          return;
        case 'AssignmentExpression':
          // Also `[o.n] = ...` and `({ k: o.n } = ...)`: a member anywhere in the target.
          if (!ownMember(node.left) && containsMember(node.left)) restartable = false;
          return;
        case 'UpdateExpression':
          if (node.argument.type === 'MemberExpression' && !ownMember(node.argument)) restartable = false;
          return;
        case 'UnaryExpression':
          if (node.operator === 'delete') restartable = false;
          return;
        case 'CallExpression': {
          const callee = node.callee;
          if (callee.type === 'Identifier') {
            if (!(isFree(callee, callee.name) && PURE_GLOBAL_CALLS.has(callee.name))) restartable = false;
            return;
          }
          if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') {
            restartable = false;
            return;
          }
          const method = callee.property.name;
          const receiver = freshObject(callee.object);
          if (
            receiver === 'array'
              ? ARRAY_METHODS.has(method)
              : receiver === 'collection' && COLLECTION_METHODS.has(method)
          ) {
            // A function passed by reference (`xs.map(g)`) may do anything when the method calls it; a
            // function written inline is part of this walk.
            const [callback] = node.arguments;
            if (CALLBACK_METHODS.has(method) && callback && !isFunctionNode(callback)) restartable = false;
            return;
          }
          const pure =
            (isFree(callee.object, 'tf') && !TF_STATEFUL.has(method)) ||
            (isFree(callee.object, 'autograph') && AUTOGRAPH_PURE.has(method)) ||
            isFree(callee.object, 'Math') ||
            (isFree(callee.object, 'Number') && ['isNaN', 'isFinite', 'isInteger'].includes(method)) ||
            (isFree(callee.object, 'console') && CONSOLE_METHODS.has(method));
          if (!pure) restartable = false;
          return;
        }
        default:
          return;
      }
    },
  });
  return restartable;
}

/**
 * Whether `node` can be evaluated again with no effect but a getter's: names, `this`, literals, and
 * non-optional member chains of those. Passes that must read a target twice (`o.p ||= v` becomes
 * `o.p || (o.p = v)`) use it.
 */
export function isRereadable(node: ESTree.Node): boolean {
  if (node.type === 'Identifier' || node.type === 'ThisExpression' || node.type === 'Literal') return true;
  if (node.type !== 'MemberExpression' || node.optional || node.property.type === 'PrivateIdentifier') return false;
  return isRereadable(node.object) && (!node.computed || isRereadable(node.property));
}
