// Continue statements: a continue in a while, do-while or for loop becomes a flag reset on each iteration.
//
//   while (x < n) { x++; if (x % 2 == 0) { continue; } total += x; }
// becomes
//   while (x < n) { let continue_ = false; x++; if (x % 2 == 0) { continue_ = true; } if (!continue_) { total += x; } }
//
// A for loop's update still runs, as after a native continue. A labeled continue out of an inner loop
// stops the inner loop. A continue that must cross a native loop or switch stays as written.

import type * as ESTree from 'estree';
import { block } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';
import {
  containsNode,
  flagDeclaration,
  flagLowering,
  innerLoopsCanStop,
  isLoweredLoop,
  jumpTargets,
  jumpsTo,
  lowerList,
} from './jumps.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);

  const visit = (node: ESTree.Node): void => {
    for (const child of childStatements(node)) visit(child);
    if (!isLoweredLoop(node)) return;
    const continues = jumpsTo(targets, 'ContinueStatement', node);
    if (!containsNode(node.body, continues) || !innerLoopsCanStop([node.body], continues)) return;
    const flag = ctx.namer.fresh('continue_');
    const body = node.body.type === 'BlockStatement' ? node.body.body : [node.body];
    node.body = block([flagDeclaration(flag), ...lowerList(body, flagLowering(flag, continues))]);
  };

  visit(fn.body as ESTree.Node);
  return fn;
}

/** The statements directly inside `node`, where loops may sit. */
function childStatements(node: ESTree.Node): ESTree.Statement[] {
  switch (node.type) {
    case 'BlockStatement':
      return node.body;
    case 'IfStatement':
      return node.alternate ? [node.consequent, node.alternate] : [node.consequent];
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'LabeledStatement':
      return [node.body];
    case 'TryStatement':
      return [node.block, ...(node.handler ? [node.handler.body] : []), ...(node.finalizer ? [node.finalizer] : [])];
    case 'SwitchStatement':
      return node.cases.flatMap((switchCase) => switchCase.consequent);
    default:
      return [];
  }
}
