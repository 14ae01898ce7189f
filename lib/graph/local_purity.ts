// Whether generated code (a traced function, a local function's twin, a staged if's branch) may change anything outside itself.

import { analysedChanges, type Reach } from '../operators/analysed.js';
import { parse } from 'acorn';
import { TF_STATEFUL } from '../analysis/globals.js';
import { analyzeScopes, type Binding } from '../analysis/scopes.js';
import type * as ESTree from 'estree';

/** The runtime's operators that write into their first argument (a path into it, or its element type). */
const RUNTIME_WRITES = new Set(['setPath', 'assignPath', 'updatePath', 'setElementType']);
/** Methods of arrays, typed arrays, maps and sets that change their receiver. */
const MUTATING_METHODS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'add',
  'delete',
  'clear',
]);
/**
 * Of those, the names tensors also have as methods (`t.add(u)`, `t.reverse()`): through the runtime's
 * method call, which sees the receiver, they count as changes only on arrays and sets
 * (api/converted_call.ts).
 */
export const TENSOR_METHOD_NAMES: ReadonlySet<string> = new Set(['add', 'reverse']);
/** Global constructors whose new objects hold nothing from outside. */
const FRESH_CONSTRUCTORS = new Set([
  'Array',
  'Object',
  'Map',
  'Set',
  'Float32Array',
  'Int32Array',
  'Uint8Array',
  'Float64Array',
  'Error',
  'TypeError',
  'RangeError',
]);
const known = new Map<string, boolean>();

/**
 * Whether running `fn` (generated code: a local function's twin, a staged if's branch) may change anything
 * but its own variables: assign a variable it does not declare, write a property of an object it did not
 * make, or call code that might. Calls through the runtime (`convertedCall`, `convertedMethodCall`,
 * `callLocal`) pass here: while a staged branch runs in a graph trace, the runtime checks each of them as
 * it runs (api/converted_call.ts), except a call of a method that changes an array, map or set it did not
 * make, which is a change. Conservative: what it cannot read is a change.
 *
 * A branch of a staged if (`branch`) may assign any variable of the converted function: converted code
 * cannot assign names from outside it (api/free_names.ts), and the if carries each variable it assigns
 * that is read later (one that is not is never read again).
 */
export function changesOutside(fn: (...args: never[]) => unknown, branch = false): boolean {
  return cached(fn, branch ? 'branch' : 'call');
}

/**
 * Whether a function run by a graph trace (the traced function, a converted function it calls) changes an
 * object it did not make, which a replay, running tf's kernels and not the JavaScript, would not repeat.
 * As a branch, it may assign its own variables; unlike a branch, it may also call any of tf's functions:
 * the trace records tf's state (variables, random draws) or fails on what it cannot record.
 */
export function changesObjectsOutside(fn: (...args: never[]) => unknown): boolean {
  return cached(fn, 'trace');
}

function cached(fn: (...args: never[]) => unknown, reach: Reach): boolean {
  // Code converted at build time is renamed and minified in its bundle: the build read it before that.
  const built = analysedChanges(fn, reach);
  if (built !== undefined) return built;
  const source = Function.prototype.toString.call(fn);
  const key = `${reach}\n${source}`;
  let answer = known.get(key);
  if (answer === undefined) {
    answer = analyse(source, reach);
    if (known.size > 10_000) known.clear();
    known.set(key, answer);
  }
  return answer;
}

/**
 * Whether the function in `source` may change anything outside itself, for `reach`: what the other
 * functions here answer, from its text (a build step asks this of the code it converts).
 */
export function analyse(source: string, reach: Reach): boolean {
  const branch = reach !== 'call';
  let program: ESTree.Program;
  try {
    program = parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as ESTree.Program;
  } catch {
    return true;
  }
  const fnNode = (program.body[0] as ESTree.ExpressionStatement).expression as ESTree.FunctionExpression;
  const scopes = analyzeScopes(fnNode);
  // A write to a name the code does not declare (scope analysis resolves shadowing) changes the outside.
  const writes = (binding: Binding) => scopes.references.some((r) => r.write && r.binding === binding);
  if (!branch && scopes.references.some((r) => r.write && r.binding === null)) return true;
  const nodes: ESTree.Node[] = [];
  const collect = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(collect);
    const n = node as ESTree.Node;
    if (typeof n.type !== 'string') return;
    nodes.push(n);
    for (const [key, child] of Object.entries(n)) if (key !== 'loc' && key !== 'range') collect(child);
  };
  collect(fnNode.body);
  // Variables the code declares with a new array or object and never assigns again: writing into what
  // they hold changes nothing outside.
  const fresh = new Set<ESTree.Identifier>();
  // Functions the code declares (and never assigns again): their bodies are part of what is read here.
  const functions = new Set<ESTree.Identifier>();
  for (const node of nodes) {
    if (node.type === 'FunctionDeclaration' && node.id) functions.add(node.id);
    if (
      node.type === 'VariableDeclarator' &&
      node.id.type === 'Identifier' &&
      (node.init?.type === 'ArrowFunctionExpression' || node.init?.type === 'FunctionExpression')
    ) {
      functions.add(node.id);
    }
  }
  for (const node of nodes) {
    if (node.type !== 'VariableDeclarator' || node.id.type !== 'Identifier' || !node.init) continue;
    const init = node.init;
    const made =
      init.type === 'ArrayExpression' ||
      init.type === 'ObjectExpression' ||
      (init.type === 'NewExpression' && init.callee.type === 'Identifier' && FRESH_CONSTRUCTORS.has(init.callee.name));
    if (made) fresh.add(node.id);
  }
  /**
   * Whether writing into the object `node` holds changes nothing outside: `node` names an array or object
   * this code made. Only the object itself: what it holds may have come from outside (`[o][0].k = 1`).
   */
  const ownObject = (node: ESTree.Node | undefined): boolean => {
    if (node?.type !== 'Identifier') return false;
    const binding = scopes.referenceOf.get(node)?.binding;
    return !!binding && fresh.has(binding.id) && !writes(binding);
  };
  /** A direct call of a function the code declares: its body is read with the rest. */
  const localCall = (node: ESTree.CallExpression): boolean => {
    if (node.callee.type !== 'Identifier') return false;
    const binding = scopes.referenceOf.get(node.callee)?.binding;
    return !!binding && functions.has(binding.id) && !writes(binding);
  };
  /** Whether a write to `member` (`own.key = ...`) writes into an object this code made. */
  const ownMember = (member: ESTree.Node) => member.type === 'MemberExpression' && ownObject(member.object);
  const memberTargets = (target: ESTree.Node): ESTree.Node[] => {
    if (target.type === 'MemberExpression') return [target];
    if (target.type === 'ArrayPattern') return target.elements.flatMap((e) => (e ? memberTargets(e) : []));
    if (target.type === 'ObjectPattern') {
      return target.properties.flatMap((p) => memberTargets(p.type === 'RestElement' ? p.argument : p.value));
    }
    if (target.type === 'AssignmentPattern') return memberTargets(target.left);
    if (target.type === 'RestElement') return memberTargets(target.argument);
    return [];
  };
  for (const node of nodes) {
    if (node.type === 'AssignmentExpression' || node.type === 'UpdateExpression') {
      // Writes to variables were checked above; a property or element write changes an object.
      const target = node.type === 'AssignmentExpression' ? node.left : node.argument;
      if (!memberTargets(target).every(ownMember)) return true;
    } else if (node.type === 'UnaryExpression' && node.operator === 'delete') {
      if (!ownMember(node.argument)) return true;
    } else if (node.type === 'NewExpression') {
      if (node.callee.type !== 'Identifier' || !FRESH_CONSTRUCTORS.has(node.callee.name)) return true;
    } else if (node.type === 'CallExpression') {
      if (!knownCall(node, ownObject, reach === 'trace') && !localCall(node)) return true;
    }
  }
  return false;
}

/** Whether a call in generated code is one that changes nothing outside, or one the runtime checks. */
function knownCall(
  node: ESTree.CallExpression,
  ownObject: (node: ESTree.Node | undefined) => boolean,
  tfRecorded: boolean,
): boolean {
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') return false;
  const root = callee.object.type === 'Identifier' ? callee.object.name : undefined;
  // `tf.train.sgd(...)`, `tf.losses.meanSquaredError(...)`: in a trace, tf's state is recorded.
  if (tfRecorded && rootName(callee) === 'tf') return true;
  const method = callee.property.name;
  const [first, second, third] = node.arguments as ESTree.Node[];
  if (root === 'Math') return true;
  // `tf.tidy` is not stateful: what it frees a replay frees itself, and its callback is read as code.
  if (root === 'tf') return tfRecorded || !TF_STATEFUL.has(method);
  if (root !== 'ag__') return MUTATING_METHODS.has(method) ? ownObject(callee.object) : false;
  if (RUNTIME_WRITES.has(method)) {
    // `setPath(root, keys, ...)`, `assignPath(pathRef(root, keys), ...)`: a path of one key writes into the
    // root itself; a longer one into what the root holds.
    const [target, keys] = (
      first?.type === 'CallExpression' && first.callee.type === 'MemberExpression' ? first.arguments : [first, second]
    ) as (ESTree.Node | undefined)[];
    const oneKey = method === 'setElementType' || (keys?.type === 'ArrayExpression' && keys.elements.length === 1);
    return oneKey && ownObject(target);
  }
  if (method === 'convertedMethodCall' && third?.type === 'Literal' && MUTATING_METHODS.has(String(third.value))) {
    return TENSOR_METHOD_NAMES.has(String(third.value)) || ownObject(second);
  }
  return true;
}

/** The name a member chain starts from: `tf` for `tf.train.sgd`. */
function rootName(node: ESTree.Node): string | undefined {
  while (node.type === 'MemberExpression') node = node.object;
  return node.type === 'Identifier' ? node.name : undefined;
}
