// Break statements: a break out of a while, do-while or for loop becomes a flag, so the loop has one exit.
//
//   while (x < n) { if (x == 3) { break; } x++; }
// becomes
//   let break_ = false;
//   while (!break_ && x < n) { if (x == 3) { break_ = true; } if (!break_) { x++; } }
//
// A labeled break out of nested loops stops each loop in between too; a break out of a labeled block
// sets a flag the same way. A break that must cross a switch
// that stays native, or leave a finally block, stays as written.

import type * as ESTree from 'estree';
import { isLoop, mapChildStatements } from '../../codegen/ast.js';
import { block } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { containsNode, isLoweredLoop, jumpTargets } from '../../analysis/jumps.js';
import {
  canStopLoop,
  flagDeclaration,
  flagLowering,
  innerLoopsCanStop,
  jumpsTo,
  leavesFinallyIn,
  lowerList,
  stopLoop,
} from './jumps.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);

  /** Lowers the breaks out of each loop in `list`, declaring each loop's flag just before it. */
  const visitList = (list: ESTree.Statement[]): ESTree.Statement[] =>
    list.flatMap((statement) => {
      // Through every label on it (`a: b: for ...`): the flag's declaration goes before the outermost.
      let loop: ESTree.Statement = statement;
      while (loop.type === 'LabeledStatement') loop = loop.body;
      visitChildren(loop);
      if (statement.type === 'LabeledStatement' && !isLoop(loop)) return labeledStatement(statement, loop);
      if (!isLoweredLoop(loop)) return [statement];
      const breaks = jumpsTo(targets, 'BreakStatement', loop);
      if (
        !containsNode(loop.body, breaks) ||
        !canStopLoop(loop) ||
        !innerLoopsCanStop([loop.body], breaks) ||
        leavesFinallyIn(targets, loop.body)
      ) {
        return [statement];
      }
      const flag = ctx.namer.fresh('break_');
      const body = loop.body.type === 'BlockStatement' ? loop.body.body : [loop.body];
      loop.body = block(lowerList(body, flagLowering(flag, breaks)));
      stopLoop(loop, flag);
      return [flagDeclaration(flag), statement];
    });

  /**
   * `out: { ...; if (t) break out; ... }`: the breaks out of a labeled block (or if, or try) set a flag,
   * and what follows each runs under `!break_`, as in a loop's body. A native switch keeps its breaks.
   */
  const labeledStatement = (statement: ESTree.LabeledStatement, inner: ESTree.Statement): ESTree.Statement[] => {
    const breaks = jumpsTo(targets, 'BreakStatement', inner);
    if (
      inner.type === 'SwitchStatement' ||
      !containsNode(inner, breaks) ||
      !innerLoopsCanStop([inner], breaks) ||
      leavesFinallyIn(targets, inner)
    ) {
      return [statement];
    }
    const flag = ctx.namer.fresh('break_');
    // Lowered in place: a single statement stays one.
    lowerList([inner], flagLowering(flag, breaks));
    return [flagDeclaration(flag), statement];
  };

  const visitChildren = (node: ESTree.Statement): void => mapChildStatements(node, visitList);

  fn.body.body = visitList(fn.body.body);
  return fn;
}
