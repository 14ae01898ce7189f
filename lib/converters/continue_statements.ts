// Continue statements: a continue in a while, do-while or for loop becomes a flag reset on each iteration.
//
//   while (x < n) { x++; if (x % 2 == 0) { continue; } total += x; }
// becomes
//   while (x < n) { let continue_ = false; x++; if (x % 2 == 0) { continue_ = true; } if (!continue_) { total += x; } }
//
// A for loop's update still runs, as after a native continue. A labeled continue out of an inner loop
// stops the inner loop. A continue that must cross a native loop or switch stays as written.

import type * as ESTree from 'estree';
import { letDeclaration, literal } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';
import { canStopLoop, containsNode, flagTrue, isLoweredLoop, jumpTargets, lowerList, type Jump } from './jumps.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);
  const lowerable = (node: ESTree.Node, loop: ESTree.Node) => {
    const info = node.type === 'ContinueStatement' ? targets.get(node as Jump) : undefined;
    return info !== undefined && info.target === loop && !info.crossesNative;
  };

  const visit = (node: ESTree.Node): void => {
    for (const child of childStatements(node)) visit(child);
    if (!isLoweredLoop(node) || !containsNode(node.body, (inner) => lowerable(inner, node))) return;
    // A labeled continue that leaves inner loops stops them, which needs their updates movable.
    const stopsInner = containsNode(
      node.body,
      (inner, ancestors) => lowerable(inner, node) && ancestors.some(isLoweredLoop),
    );
    if (stopsInner && containsNode(node.body, (inner) => isLoweredLoop(inner) && !canStopLoop(inner))) return;
    const flag = ctx.namer.fresh('continue_');
    const declaration = letDeclaration([flag]);
    declaration.declarations[0]!.init = literal(false);
    const body = node.body.type === 'BlockStatement' ? node.body.body : [node.body];
    node.body = {
      type: 'BlockStatement',
      body: [
        declaration,
        ...lowerList(body, {
          flag,
          replace: (s) => (lowerable(s, node) ? [flagTrue(flag)] : undefined),
          contains: (s) => containsNode(s, (inner) => lowerable(inner, node)),
          stopFlags: ctx.loopStopFlags,
          stopsLoop: (inner) => containsNode(inner.body, (n) => lowerable(n, node)),
        }),
      ],
    };
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
