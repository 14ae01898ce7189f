// Effects analysis: whether running a function twice from the start is unobservable outside it.

import { walk } from 'estree-walker';
import type * as ESTree from 'estree';
import type { ScopeInfo } from './scopes.js';

/** tf functions that change state a second run would see: disposing, keeping, variables, settings. */
const TF_EFFECTS = new Set([
  'dispose',
  'disposeVariables',
  'keep',
  'variable',
  'setBackend',
  'removeBackend',
  'registerBackend',
  'engine',
  'env',
  'enableProdMode',
  'enableDebugMode',
  'profile',
  'nextFrame',
  'browser',
  'io',
  'loadLayersModel',
  'loadGraphModel',
]);
const PURE_GLOBAL_CALLS = new Set(['Number', 'Boolean', 'String', 'parseInt', 'parseFloat', 'isNaN', 'isFinite']);
const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug']);

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
 * Math, console's printing methods (which the runtime buffers) and a few pure globals, creates no objects
 * with `new`, and does not wait. Conservative: anything else, a call to a user function included, is an
 * effect. The runtime runs such functions synchronously first and restarts them staged if a tensor
 * condition appears.
 */
export function isRestartable(fn: ESTree.Function, scopes: ScopeInfo): boolean {
  if (fn.async || fn.generator) return false;
  const isFree = (node: ESTree.Node, name: string) =>
    node.type === 'Identifier' && node.name === name && scopes.referenceOf.get(node)?.binding === null;
  let restartable = true;
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (!restartable) return this.skip();
      switch (node.type) {
        case 'AwaitExpression':
        case 'YieldExpression':
        case 'NewExpression':
        case 'TaggedTemplateExpression':
        case 'ImportExpression':
          restartable = false;
          return;
        case 'AssignmentExpression':
          // Also `[o.n] = ...` and `({ k: o.n } = ...)`: a member anywhere in the target.
          if (containsMember(node.left)) restartable = false;
          return;
        case 'UpdateExpression':
          if (node.argument.type === 'MemberExpression') restartable = false;
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
          const pure =
            (isFree(callee.object, 'tf') && !TF_EFFECTS.has(method)) ||
            isFree(callee.object, 'Math') ||
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
