// Whether a local function's converted twin may change anything outside itself: read off its code.

import { parse } from 'acorn';
import { analyzeScopes } from '../analysis/scopes.js';
import type * as ESTree from 'estree';

/** The runtime's operators that may run the user's code, or change what is outside the call. */
const RUNTIME_CALLS_OUT = /^(convertedCall|convertedMethodCall|callLocal|setPath|assignPath|updatePath)/;
/** tf's functions that change state outside the call. */
const TF_EFFECTS = new Set(['dispose', 'keep', 'variable', 'disposeVariables', 'setBackend', 'engine', 'env', 'tidy']);

const known = new Map<string, boolean>();

/**
 * Whether running `fn` (a twin: generated code) may change anything but its own variables: assign a
 * variable it does not declare, write a property, or call code that might (a user function, a runtime
 * operator that calls one, a tf function with effects). Conservative: what it cannot read is a change.
 */
export function changesOutside(fn: (...args: never[]) => unknown): boolean {
  const source = Function.prototype.toString.call(fn);
  let answer = known.get(source);
  if (answer === undefined) {
    answer = analyse(source);
    if (known.size > 10_000) known.clear();
    known.set(source, answer);
  }
  return answer;
}

function analyse(source: string): boolean {
  let program: ESTree.Program;
  try {
    program = parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as ESTree.Program;
  } catch {
    return true;
  }
  const fnNode = (program.body[0] as ESTree.ExpressionStatement).expression as ESTree.FunctionExpression;
  // A write to a name the twin does not declare (scope analysis resolves shadowing) changes the outside.
  if (analyzeScopes(fnNode).references.some((reference) => reference.write && reference.binding === null)) {
    return true;
  }
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
  const rootName = (node: ESTree.Node): string | undefined =>
    node.type === 'Identifier' ? node.name : node.type === 'MemberExpression' ? rootName(node.object) : undefined;
  for (const node of nodes) {
    if (node.type === 'AssignmentExpression' || node.type === 'UpdateExpression') {
      // Writes to variables were checked above; a property or element write changes an object.
      const target = node.type === 'AssignmentExpression' ? node.left : node.argument;
      if (target.type !== 'Identifier') return true;
    } else if (node.type === 'UnaryExpression' && node.operator === 'delete') {
      return true;
    } else if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const callee = node.callee;
      if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') {
        return true;
      }
      const root = rootName(callee.object);
      const method = callee.property.name;
      const allowed =
        (root === 'ag__' && !RUNTIME_CALLS_OUT.test(method)) ||
        (root === 'tf' && !TF_EFFECTS.has(method)) ||
        root === 'Math';
      if (!allowed) return true;
    }
  }
  return false;
}
