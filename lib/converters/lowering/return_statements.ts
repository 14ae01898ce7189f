// Return statements: a return inside an if or a loop becomes a flag and a value, so the function has one exit.
//
//   if (x > 0) { return x; }
//   return -x;
// first becomes (the rest of a block after an if that always returns moves into its else)
//   if (x > 0) { return x; } else { return -x; }
// and then
//   let do_return = false, retval_ = ag__.undefinedReturn;
//   if (x > 0) { retval_ = x; do_return = true; } else { retval_ = ag__.neg(x); do_return = true; }
//   return ag__.retval(retval_);
//
// Every loop a return may leave also stops on the flag. Functions whose returns all sit at the top level
// of their body are left as written. Returns inside a construct that stays native (for-of, for-in,
// switch) leave the function as written too.

import type * as ESTree from 'estree';
import { asList, mapChildStatements } from '../../codegen/ast.js';
import { assign, call, expressionStatement, identifier, literal, returnStatement } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { containsNode, inFinally, isLoweredLoop, jumpTargets } from '../../analysis/jumps.js';
import { canStopLoop, flagTrue, lowerList, splitDeclarations } from './jumps.js';

const isReturn = (node: ESTree.Node) => node.type === 'ReturnStatement';
const NATIVE = new Set(['SwitchStatement']);

/** Whether every path through `statement` ends in a return or a throw. */
function alwaysExits(statement: ESTree.Statement): boolean {
  switch (statement.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
      return true;
    case 'BlockStatement':
      return statement.body.some(alwaysExits);
    case 'IfStatement':
      return !!statement.alternate && alwaysExits(statement.consequent) && alwaysExits(statement.alternate);
    default:
      return false;
  }
}

/** Moves what follows an if whose branch always exits into its other branch, so both branches return. */
function moveRestIntoBranches(list: ESTree.Statement[]): ESTree.Statement[] {
  const out: ESTree.Statement[] = [];
  for (let i = 0; i < list.length; i++) {
    const statement = list[i]!;
    const following = list.slice(i + 1);
    if (statement.type === 'IfStatement' && following.length > 0) {
      const exitsFirst = alwaysExits(statement.consequent);
      if (exitsFirst || (statement.alternate && alwaysExits(statement.alternate))) {
        const { declared, rest } = splitDeclarations(following);
        if (exitsFirst) {
          statement.alternate = { type: 'BlockStatement', body: [...asList(statement.alternate), ...rest] };
        } else {
          statement.consequent = { type: 'BlockStatement', body: [...asList(statement.consequent), ...rest] };
        }
        out.push(...declared, nested(statement));
        return out;
      }
    }
    out.push(nested(statement));
  }
  return out;
}

function nested(statement: ESTree.Statement): ESTree.Statement {
  mapChildStatements(statement, moveRestIntoBranches);
  return statement;
}

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const body = fn.body.body;
  const nestedReturn = body.some((statement) => !isReturn(statement) && containsNode(statement, isReturn));
  if (!nestedReturn) return fn;
  // A return in a finally block also discards an exception in flight, which a flag cannot do; a break or
  // continue out of one (which stays native) discards a return in flight, which the flag would keep.
  const targets = jumpTargets(fn as ESTree.Node);
  const blocked =
    containsNode(fn.body as ESTree.Node, (node, ancestors) => isReturn(node) && inFinally(ancestors)) ||
    [...targets.values()].some((target) => target.leavesFinally) ||
    containsNode(
      fn.body as ESTree.Node,
      (node, ancestors) => isReturn(node) && ancestors.some((a) => NATIVE.has(a.type)),
    ) ||
    containsNode(
      fn.body as ESTree.Node,
      (node) => isLoweredLoop(node) && containsNode(node, isReturn) && !canStopLoop(node),
    );
  if (blocked) return fn;

  const doReturn = ctx.namer.fresh('do_return');
  const retval = ctx.namer.fresh('retval_');
  /** Undoes a return that a throw from a finally block cancelled. */
  const cancelled = (): ESTree.Statement[] => [
    expressionStatement(assign(identifier(doReturn), literal(false))),
    expressionStatement(assign(identifier(retval), ctx.operator('undefinedReturn'))),
  ];
  const lowered = lowerList(moveRestIntoBranches(body), {
    flag: doReturn,
    replace: (statement) =>
      statement.type === 'ReturnStatement'
        ? // The value first: a return whose value throws (inside a try) has not returned.
          [
            expressionStatement(
              assign(identifier(retval), statement.argument ?? identifier('undefined')),
              statement.loc,
            ),
            { ...flagTrue(doReturn), loc: statement.loc },
          ]
        : undefined,
    contains: (statement) => containsNode(statement, isReturn),
    stopsLoop: (loop) => containsNode(loop.body, isReturn),
    cancelled,
  });
  fn.body.body = [
    {
      type: 'VariableDeclaration',
      kind: 'let',
      declarations: [
        { type: 'VariableDeclarator', id: identifier(doReturn), init: { type: 'Literal', value: false } },
        { type: 'VariableDeclarator', id: identifier(retval), init: ctx.operator('undefinedReturn') },
      ],
    },
    ...lowered,
    returnStatement(call(ctx.operator('retval'), [identifier(retval)])),
  ];
  return fn;
}
