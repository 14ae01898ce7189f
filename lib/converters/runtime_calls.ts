// The runtime calls of the common lowering, as the back ends recognise them in the tree.

import type * as ESTree from 'estree';
import type { ConversionContext } from './context.js';

/** The runtime operators of the common lowering that are generators, and their plain back end variants. */
export const WAITING_OPERATORS: Readonly<Record<string, string>> = {
  consoleCall: 'consoleCallPlain',
  consoleAssert: 'consoleAssertPlain',
  convertedCall: 'convertedCallPlain',
  convertedMethodCall: 'convertedMethodCallPlain',
  callLocal: 'callLocalPlain',
  toStringOf: 'toStringOfPlain',
  jsonStringify: 'jsonStringifyPlain',
};

/** The name of the runtime operator `node` calls, or undefined when it calls anything else. */
export function runtimeCallee(node: ESTree.Node, ctx: ConversionContext): string | undefined {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
  const { object, property } = node.callee;
  if (object.type !== 'Identifier' || object.name !== ctx.runtime || property.type !== 'Identifier') return undefined;
  return property.name;
}
