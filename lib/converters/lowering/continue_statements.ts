// Continue statements: a continue in a while, do-while or for loop becomes a flag reset on each iteration.
//
//   while (x < n) { x++; if (x % 2 == 0) { continue; } total += x; }
// becomes
//   while (x < n) { let continue_ = false; x++; if (x % 2 == 0) { continue_ = true; } if (!continue_) { total += x; } }
//
// A for loop's update still runs, as after a native continue. A labeled continue out of an inner loop
// stops the inner loop. A continue that must cross a native loop or switch stays as written.

import type * as ESTree from 'estree';
import { childStatements } from '../../codegen/ast.js';
import { block } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { containsNode, isLoweredLoop, jumpTargets } from '../../analysis/jumps.js';
import { flagDeclaration, flagLowering, innerLoopsCanStop, jumpsTo, leavesFinallyIn, lowerList } from './jumps.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);

  const visit = (node: ESTree.Statement): void => {
    for (const child of childStatements(node)) visit(child);
    if (!isLoweredLoop(node)) return;
    const continues = jumpsTo(targets, 'ContinueStatement', node);
    if (!containsNode(node.body, continues) || !innerLoopsCanStop([node.body], continues)) return;
    if (leavesFinallyIn(targets, node.body)) return;
    const flag = ctx.namer.fresh('continue_');
    const body = node.body.type === 'BlockStatement' ? node.body.body : [node.body];
    node.body = block([flagDeclaration(flag), ...lowerList(body, flagLowering(flag, continues))]);
  };

  visit(fn.body);
  return fn;
}
