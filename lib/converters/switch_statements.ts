// Switch statements: a switch becomes a chain of ifs, so that a tensor discriminant stages each case.
//
//   switch (x) { case 1: a(); case 2: b(); break; default: c(); }
// becomes
//   {
//     const switch_ = x;
//     let matched_ = false, break_ = false;
//     if (!break_ && (matched_ || switch_ === 1)) { matched_ = true; a(); }
//     if (!break_ && (matched_ || switch_ === 2)) { matched_ = true; b(); break_ = true; }
//     if (!break_) { matched_ = true; c(); }
//   }
//
// Fallthrough carries on through `matched_`; a default before other cases runs only when no case
// matches. A switch whose cases declare block-scoped names, or that a jump from inside a nested
// function targets, stays as written.

import type * as ESTree from 'estree';
import { block, identifier, literal } from '../codegen/builders.js';
import type { ConversionContext } from './context.js';
import { canStopLoop, containsNode, flagTrue, isLoweredLoop, jumpTargets, lowerList, not, type Jump } from './jumps.js';

const or = (left: ESTree.Expression, right: ESTree.Expression): ESTree.LogicalExpression => ({
  type: 'LogicalExpression',
  operator: '||',
  left,
  right,
});
const and = (left: ESTree.Expression, right: ESTree.Expression): ESTree.LogicalExpression => ({
  type: 'LogicalExpression',
  operator: '&&',
  left,
  right,
});
const strictEqual = (left: ESTree.Expression, right: ESTree.Expression): ESTree.BinaryExpression => ({
  type: 'BinaryExpression',
  operator: '===',
  left,
  right,
});
const declaresNames = (statement: ESTree.Statement) =>
  (statement.type === 'VariableDeclaration' && statement.kind !== 'var') ||
  statement.type === 'ClassDeclaration' ||
  statement.type === 'FunctionDeclaration';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);

  // The chain goes straight into the enclosing block (its names are fresh), so that what follows a
  // switch whose cases return can move into the branches, as after any if that returns.
  const lower = (node: ESTree.SwitchStatement): ESTree.Statement[] => {
    if (node.cases.some((switchCase) => switchCase.consequent.some(declaresNames))) return [node];
    const value = ctx.namer.fresh('switch_');
    const matched = ctx.namer.fresh('matched_');
    const flag = ctx.namer.fresh('break_');
    const breaksHere = (n: ESTree.Node) => n.type === 'BreakStatement' && targets.get(n as Jump)?.target === node;
    // A labeled break from a loop inside a case must stop that loop too, whose update then moves into its
    // body: not possible while the loop still holds a native continue (continues are lowered later).
    const crossedLoops = node.cases.some((switchCase) =>
      switchCase.consequent.some((statement) =>
        containsNode(statement, (n, ancestors) => breaksHere(n) && ancestors.some(isLoweredLoop)),
      ),
    );
    const blocked = node.cases.some((switchCase) =>
      switchCase.consequent.some((statement) => containsNode(statement, (n) => isLoweredLoop(n) && !canStopLoop(n))),
    );
    if (crossedLoops && blocked) return [node];
    const lowering = {
      flag,
      stopFlags: ctx.loopStopFlags,
      replace: (s: ESTree.Statement) => (breaksHere(s) ? [flagTrue(flag)] : undefined),
      contains: (s: ESTree.Statement) => containsNode(s, breaksHere),
      stopsLoop: (loop: ESTree.Node) => containsNode((loop as ESTree.WhileStatement).body, breaksHere),
    };
    const defaultIndex = node.cases.findIndex((switchCase) => switchCase.test === null);
    const casesAfterDefault = defaultIndex >= 0 && node.cases.slice(defaultIndex + 1).length > 0;
    const found = ctx.namer.fresh('case_found');
    const statements: ESTree.Statement[] = [
      {
        type: 'VariableDeclaration',
        kind: 'const',
        declarations: [{ type: 'VariableDeclarator', id: identifier(value), init: node.discriminant }],
      },
      {
        type: 'VariableDeclaration',
        kind: 'let',
        declarations: [
          { type: 'VariableDeclarator', id: identifier(matched), init: literal(false) },
          { type: 'VariableDeclarator', id: identifier(flag), init: literal(false) },
        ],
      },
    ];
    if (casesAfterDefault) {
      // The default runs only when no case matches, including the cases written after it.
      const tests = node.cases.flatMap((switchCase) =>
        switchCase.test ? [strictEqual(identifier(value), switchCase.test)] : [],
      );
      statements.push({
        type: 'VariableDeclaration',
        kind: 'const',
        declarations: [
          {
            type: 'VariableDeclarator',
            id: identifier(found),
            init: tests.slice(1).reduce<ESTree.Expression>((all, next) => or(all, next), tests[0]!),
          },
        ],
      });
    }
    for (const switchCase of node.cases) {
      const entered: ESTree.Expression = switchCase.test
        ? or(identifier(matched), strictEqual(identifier(value), switchCase.test))
        : casesAfterDefault
          ? or(identifier(matched), not(identifier(found)))
          : literal(true);
      const test = entered.type === 'Literal' ? not(identifier(flag)) : and(not(identifier(flag)), entered);
      statements.push({
        type: 'IfStatement',
        test,
        consequent: block([
          {
            type: 'ExpressionStatement',
            expression: {
              type: 'AssignmentExpression',
              operator: '=',
              left: identifier(matched),
              right: literal(true),
            },
          },
          ...lowerList(switchCase.consequent, lowering),
        ]),
        alternate: null,
        loc: switchCase.loc,
      });
    }
    return statements;
  };

  const single = (list: ESTree.Statement[]): ESTree.Statement => (list.length === 1 ? list[0]! : block(list));
  const visitList = (list: ESTree.Statement[]) => list.flatMap(visit);
  const visit = (statement: ESTree.Statement): ESTree.Statement[] => {
    switch (statement.type) {
      case 'BlockStatement':
        statement.body = visitList(statement.body);
        return [statement];
      case 'IfStatement':
        statement.consequent = single(visit(statement.consequent));
        if (statement.alternate) statement.alternate = single(visit(statement.alternate));
        return [statement];
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        statement.body = single(visit(statement.body));
        return [statement];
      case 'LabeledStatement':
        // A labeled switch keeps its label on a block, for any break that names it and stays native.
        statement.body = single(visit(statement.body));
        return [statement];
      case 'TryStatement':
        statement.block.body = visitList(statement.block.body);
        if (statement.handler) statement.handler.body.body = visitList(statement.handler.body.body);
        if (statement.finalizer) statement.finalizer.body = visitList(statement.finalizer.body);
        return [statement];
      case 'SwitchStatement':
        for (const switchCase of statement.cases) switchCase.consequent = visitList(switchCase.consequent);
        return lower(statement);
      default:
        return [statement];
    }
  };

  fn.body.body = visitList(fn.body.body);
  return fn;
}
