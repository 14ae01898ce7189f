// Switch statements: a switch becomes a chain of ifs, so that a tensor discriminant stages each case.
//
//   switch (x) { case 1: a(); case 2: b(); break; default: c(); }
// becomes
//   const switch_ = x;
//   let entry_ = 0, break_ = false;
//   if (switch_ === 1) { entry_ = 0; } else if (switch_ === 2) { entry_ = 1; } else { entry_ = 2; }
//   if (entry_ <= 0) { a(); }
//   if (!break_ && entry_ <= 1) { b(); break_ = true; }
//   if (!break_ && entry_ <= 2) { c(); }
//
// The case tests run once, lazily and in order, as JavaScript runs them; a default anywhere is where
// execution enters when no case matches, and fallthrough is `entry_ <= k`. Names the cases declare with
// `let`, `const` or `class` get fresh names declared before the chain. A switch whose cases declare
// functions (hoisted within the switch) stays as written.

import type * as ESTree from 'estree';
import { isTwin, mapChildStatements } from '../../codegen/ast.js';
import { binary, block, identifier, literal, logical, not } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { renameReferences } from './renaming.js';
import { jumpTargets } from '../../analysis/jumps.js';
import {
  flagDeclaration,
  flagLowering,
  innerLoopsCanStop,
  jumpsTo,
  leavesFinallyIn,
  lowerList,
  splitDeclarations,
} from './jumps.js';

/**
 * A function declared in a case is hoisted within the switch's scope, which a chain of ifs cannot keep.
 * A local function's twin is only called from its own case, after its definition: it may move.
 */
const declaresFunction = (statement: ESTree.Statement) =>
  statement.type === 'FunctionDeclaration' && !isTwin(statement);

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const targets = jumpTargets(fn as ESTree.Node);
  const scopes = ctx.scopesOf(fn);

  /**
   * The cases of a switch share one scope. Its `let`, `const` and `class` names get fresh names, declared
   * before the chain, and each declaration becomes an assignment where it was: one binding per run of
   * the switch, as in JavaScript.
   */
  const hoistCaseDeclarations = (node: ESTree.SwitchStatement): ESTree.Statement[] => {
    const scope = scopes.scopeOf.get(node);
    if (!scope) return [];
    // A twin (the only function a lowered switch may declare) keeps its name, which its calls carry.
    const names = [...scope.bindings.values()].filter((binding) => binding.kind !== 'function');
    const renamed = new Map(names.map((binding) => [binding, ctx.namer.fresh(binding.name)]));
    for (const [binding, name] of renamed) {
      ctx.userNames.set(name, ctx.userNames.get(binding.name) ?? binding.name);
      binding.id.name = name;
    }
    renameReferences(node, renamed, scopes);
    const declared: ESTree.Statement[] = [];
    for (const switchCase of node.cases) {
      const split = splitDeclarations(switchCase.consequent);
      declared.push(...split.declared);
      switchCase.consequent = split.rest;
    }
    return declared;
  };

  // The chain goes straight into the enclosing block (its names are fresh), so that what follows a
  // switch whose cases return can move into the branches, as after any if that returns.
  const lower = (node: ESTree.SwitchStatement): ESTree.Statement[] => {
    if (node.cases.some((switchCase) => switchCase.consequent.some(declaresFunction))) return [node];
    if (leavesFinallyIn(targets, node)) return [node];
    const value = ctx.namer.fresh('switch_');
    const entry = ctx.namer.fresh('entry_');
    const flag = ctx.namer.fresh('break_');
    // Breaks that leave the switch from a loop in a case stop that loop too (continues are lowered later,
    // so such a loop must not hold one).
    const breaks = jumpsTo(targets, 'BreakStatement', node);
    if (
      !innerLoopsCanStop(
        node.cases.flatMap((switchCase) => switchCase.consequent),
        breaks,
      )
    )
      return [node];
    const declared = hoistCaseDeclarations(node);
    const lowering = flagLowering(flag, breaks);
    // Where execution enters: the first case, in source order, whose test matches (tests are evaluated
    // lazily, once, as JavaScript does), else the default, else past the end. Then case k runs when
    // entry_ <= k, which is fallthrough, until a break sets the flag.
    const defaultIndex = node.cases.findIndex((switchCase) => switchCase.test === null);
    const setEntry = (index: number): ESTree.Statement =>
      block([
        {
          type: 'ExpressionStatement',
          expression: { type: 'AssignmentExpression', operator: '=', left: identifier(entry), right: literal(index) },
        },
      ]);
    const lookup = node.cases.reduceRight<ESTree.Statement>(
      (otherwise, switchCase, index) =>
        switchCase.test
          ? {
              type: 'IfStatement',
              test: binary('===', identifier(value), switchCase.test),
              consequent: setEntry(index),
              alternate: otherwise,
              loc: switchCase.loc,
            }
          : otherwise,
      setEntry(defaultIndex >= 0 ? defaultIndex : node.cases.length),
    );
    const statements: ESTree.Statement[] = [
      ...declared,
      {
        type: 'VariableDeclaration',
        kind: 'const',
        declarations: [{ type: 'VariableDeclarator', id: identifier(value), init: node.discriminant }],
      },
      {
        type: 'VariableDeclaration',
        kind: 'let',
        declarations: [{ type: 'VariableDeclarator', id: identifier(entry), init: literal(0) }],
      },
      flagDeclaration(flag),
      lookup,
    ];
    node.cases.forEach((switchCase, index) => {
      const entered = binary('<=', identifier(entry), literal(index));
      statements.push({
        type: 'IfStatement',
        // Nothing can have broken out before the first case.
        test: index === 0 ? entered : logical('&&', not(identifier(flag)), entered),
        consequent: block(lowerList(switchCase.consequent, lowering)),
        alternate: null,
        loc: switchCase.loc,
      });
    });
    return statements;
  };

  const visitList = (list: ESTree.Statement[]) => list.flatMap(visit);
  const visit = (statement: ESTree.Statement): ESTree.Statement[] => {
    if (statement.type !== 'SwitchStatement') {
      // A labeled switch keeps its label on a block, for any break that names it and stays native.
      mapChildStatements(statement, visitList);
      return [statement];
    }
    // A lowered switch inside a case stays in a block: its declarations would otherwise land in the
    // outer switch's shared case scope and keep that switch native.
    for (const switchCase of statement.cases) {
      switchCase.consequent = switchCase.consequent.flatMap((inner) => {
        const out = visit(inner);
        return out.length > 1 ? [block(out)] : out;
      });
    }
    return lower(statement);
  };

  fn.body.body = visitList(fn.body.body);
  return fn;
}
