// Control flow: if, while and for(;;) become calls to the runtime operators, with bodies as generators.
//
//   if (x > 0) { y = x; } else { y = -x; }
// becomes
//   function* if_body() { y = x; }
//   function* else_body() { y = -x; }
//   function get_state() { return [y]; }
//   function set_state(vars_) { [y] = vars_; }
//   yield* ag__.ifStmt(x > 0, if_body, else_body, get_state, set_state, ["y"]);
//
// The state is what analysis says the construct carries. A construct whose body leaves it through
// return, break or continue stays native JavaScript, with its condition guarded so that a tensor
// condition there is a clear error rather than a silently truthy object.

import { mapChildStatements, single as singleStatement, stopFlagsOf } from '../../codegen/ast.js';
import { findEscape } from '../../analysis/jumps.js';
import type * as ESTree from 'estree';
import { analyze, carriedState, storeRoots, uncarriedAssignments, type Analysis } from '../../analysis/index.js';
import { STANDARD_GLOBALS } from '../../analysis/globals.js';
import { patternIdentifiers } from '../../analysis/scopes.js';
import {
  allOf,
  array,
  arrayPattern,
  assign,
  block,
  call,
  expressionStatement,
  functionDeclaration,
  identifier,
  literal,
  returnStatement,
  yieldDelegate,
} from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { runtimeCallee } from '../runtime_calls.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const analysis: Analysis = analyze(fn);
  const varsName = ctx.namer.fresh('vars_');
  /**
   * The names a loop's get_state returns after what it carries: the objects it may store tensors into.
   * Outside names that cannot hold the user's tensors (tf, autograph, the standard globals) are left out.
   */
  const rootNames = (node: ESTree.Node): string[] => {
    const { bindings, free } = storeRoots(analysis, node);
    const names = bindings.map((binding) => binding.name);
    const internal = new Set(['tf', 'autograph', ctx.runtime, ctx.callContext]);
    const outside = free.filter((name) => !internal.has(name) && !STANDARD_GLOBALS.has(name));
    return [...names, ...outside];
  };
  // Errors name variables as the user wrote them, not as a pass renamed them.
  const userName = (name: string) => ctx.userNames.get(name) ?? name;

  // Names are taken before the bodies are converted, so outer constructs get the plainer names.
  const generator = (name: string, body: () => ESTree.Statement[], loc?: ESTree.SourceLocation | null) => {
    const declaration = functionDeclaration(name, [], body(), true, loc);
    ctx.converted.add(declaration);
    return declaration;
  };
  const bodyOf = (statement: ESTree.Statement): ESTree.Statement[] =>
    statement.type === 'BlockStatement' ? convertList(statement.body) : convertStatement(statement);
  /**
   * The state functions of a staged construct, and the arguments that pass them to its operator:
   * `get_state` and `set_state` over what it carries, the names of those variables, and for a loop that
   * stores into outer objects (a list it pushes to, `self` whose properties it sets) `get_stores`, which
   * returns those objects: the runtime keeps the tensors they reach when it frees an iteration's
   * temporaries.
   */
  const stateFunctions = (
    node: ESTree.Statement,
    extra: string[] = [],
  ): { functions: ESTree.FunctionDeclaration[]; args: ESTree.Expression[] } => {
    const carried = carriedState(analysis, node).map((binding) => binding.name);
    const names = [...carried, ...extra.filter((name) => !carried.includes(name))];
    // An if's state functions also cover what its branches assign without carrying it, after the carried
    // variables (the names list their number): a graph trace resets them before it runs the other branch.
    const uncarried =
      node.type === 'IfStatement'
        ? uncarriedAssignments(analysis, node)
            .map((binding) => binding.name)
            .filter((name) => !names.includes(name))
        : [];
    const all = [...names, ...uncarried];
    const getState = functionDeclaration(
      ctx.namer.fresh('get_state'),
      [],
      [returnStatement(array(all.map(identifier)))],
      false,
    );
    const setState = functionDeclaration(
      ctx.namer.fresh('set_state'),
      [identifier(varsName)],
      all.length > 0 ? [expressionStatement(assign(arrayPattern(all.map(identifier)), identifier(varsName)))] : [],
      false,
    );
    const roots = node.type === 'IfStatement' ? [] : rootNames(node).filter((name) => !names.includes(name));
    const getStores =
      roots.length > 0
        ? functionDeclaration(ctx.namer.fresh('get_stores'), [], [returnStatement(array(roots.map(identifier)))], false)
        : undefined;
    return {
      functions: getStores ? [getState, setState, getStores] : [getState, setState],
      args: [
        getState.id!,
        setState.id!,
        array(names.map((name) => literal(userName(name)))),
        ...(getStores ? [getStores.id!] : []),
      ],
    };
  };
  // The runtime name carries the construct's position: astring maps names, so errors the operator
  // raises map back to the construct's line.
  const stage = (operator: string, args: ESTree.Expression[], loc: ESTree.SourceLocation | null | undefined) =>
    expressionStatement(yieldDelegate(call(ctx.operator(operator, loc), args, loc)), loc);
  const guard = (test: ESTree.Expression, construct: string, escape: ESTree.Statement): ESTree.Expression =>
    test.type === 'Literal'
      ? test
      : call(
          ctx.operator('conditionUnstaged'),
          [test, literal(construct), literal(escape.type.replace('Statement', '').toLowerCase())],
          test.loc,
        );

  function convertIf(node: ESTree.IfStatement): ESTree.Statement[] {
    const escape = findEscape(node);
    if (escape) {
      node.test = guard(node.test, 'an if statement', escape);
      node.consequent = single(node.consequent);
      if (node.alternate) node.alternate = single(node.alternate);
      return [node];
    }
    const bodyName = ctx.namer.fresh('if_body');
    const orelseName = node.alternate ? ctx.namer.fresh('else_body') : '';
    const state = stateFunctions(node);
    const body = generator(bodyName, () => bodyOf(node.consequent), node.consequent.loc);
    const alternate = node.alternate;
    const orelse = alternate ? generator(orelseName, () => bodyOf(alternate), alternate.loc) : null;
    return [
      body,
      ...(orelse ? [orelse] : []),
      ...state.functions,
      stage('ifStmt', [node.test, body.id!, orelse ? orelse.id! : literal(null), ...state.args], node.loc),
    ];
  }

  function convertWhile(node: ESTree.WhileStatement | ESTree.DoWhileStatement): ESTree.Statement[] {
    const doWhile = node.type === 'DoWhileStatement';
    const escape = findEscape(node);
    if (escape) {
      node.test = guard(node.test, doWhile ? 'a do-while loop' : 'a while loop', escape);
      const loopBody = node.body;
      node.body = single(loopBody);
      return [node];
    }
    const test = generator(ctx.namer.fresh('loop_test'), () => [{ ...returnStatement(node.test), loc: node.test.loc }]);
    const bodyName = ctx.namer.fresh('loop_body');
    const state = stateFunctions(node);
    const body = generator(bodyName, () => bodyOf(node.body), node.body.loc);
    return [
      test,
      body,
      ...state.functions,
      stage(doWhile ? 'doWhileStmt' : 'whileStmt', [test.id!, body.id!, ...state.args], node.loc),
    ];
  }

  function convertFor(node: ESTree.ForStatement): ESTree.Statement[] {
    const escape = findEscape(node);
    if (escape) {
      if (node.test) node.test = guard(node.test, 'a for loop', escape);
      const loopBody = node.body;
      node.body = single(loopBody);
      return [node];
    }
    const init: ESTree.Statement[] = !node.init
      ? []
      : node.init.type === 'VariableDeclaration'
        ? [node.init]
        : [expressionStatement(node.init, node.init.loc)];
    const { test: condition, update: step } = node;
    const test = condition
      ? generator(ctx.namer.fresh('loop_test'), () => [{ ...returnStatement(condition), loc: condition.loc }])
      : null;
    const update = step ? generator(ctx.namer.fresh('loop_update'), () => [expressionStatement(step, step.loc)]) : null;
    const bodyName = ctx.namer.fresh('loop_body');
    const state = stateFunctions(node);
    const count = countOf(
      node,
      carriedState(analysis, node).map((binding) => binding.name),
    );
    const body = generator(bodyName, () => bodyOf(node.body), node.body.loc);
    // The count goes last; a loop that stores into nothing passes null for get_stores before it.
    const countArgs = count ? [...(state.functions.length === 2 ? [literal(null)] : []), count.id!] : [];
    const statements: ESTree.Statement[] = [
      ...init,
      ...(test ? [test] : []),
      ...(update ? [update] : []),
      body,
      ...state.functions,
      ...(count ? [count] : []),
      stage(
        'forStmt',
        [test ? test.id! : literal(null), update ? update.id! : literal(null), body.id!, ...state.args, ...countArgs],
        node.loc,
      ),
    ];
    // A `let` in the head belongs to the loop: a block keeps it out of the enclosing scope.
    return node.init?.type === 'VariableDeclaration' && node.init.kind !== 'var' ? [block(statements)] : statements;
  }

  /**
   * For a loop that counts up by one, `for (let i = a; i < n; i++)` (also `<=`, `n > i`, `++i`, `i += 1`,
   * `i = i + 1`), a function that gives where it starts and where it ends, `[i, n, inclusive]`: the runtime
   * calls it once as the loop starts, to report progress (toGraph's onProgress option). The bound must be
   * a name, a number or a property of a name (`xs.length`) that the loop does not assign.
   */
  function countOf(node: ESTree.ForStatement, carried: string[]): ESTree.FunctionDeclaration | undefined {
    const { test, update } = node;
    if (!test || !update || update.type !== 'AssignmentExpression' || update.left.type !== 'Identifier') return;
    const position = update.left.name;
    const isPosition = (e: ESTree.Node | undefined) => e?.type === 'Identifier' && e.name === position;
    const isOne = (e: ESTree.Node | undefined) => e?.type === 'Literal' && e.value === 1;
    const stepped = update.operator === '=' && update.right.type === 'CallExpression' ? update.right : undefined;
    const args = stepped?.arguments ?? [];
    const byOne =
      (runtimeCallee(update.right, ctx) === 'increment' && isPosition(args[0])) ||
      (runtimeCallee(update.right, ctx) === 'add' &&
        ((isPosition(args[0]) && isOne(args[1])) || (isOne(args[0]) && isPosition(args[1]))));
    const comparison = loopComparison(test);
    if (!byOne || !comparison) return;
    const compare = runtimeCallee(comparison, ctx);
    const [left, right] = comparison.arguments as ESTree.Expression[];
    const ascending = compare === 'less' || compare === 'lessEqual';
    const descending = compare === 'greater' || compare === 'greaterEqual';
    const bound = ascending && isPosition(left) ? right : descending && isPosition(right) ? left : undefined;
    if (!bound || !fixedBound(bound, [...carried.filter((name) => name !== position)])) return;
    const inclusive = compare === 'lessEqual' || compare === 'greaterEqual';
    return functionDeclaration(
      ctx.namer.fresh('loop_count'),
      [],
      [returnStatement(array([identifier(position), bound, literal(inclusive)]))],
      false,
    );
  }

  /**
   * The comparison a loop's test makes: the test itself, or, where a lowered break added its flag to it
   * (`!break_ && i < n`), the comparison after the flags.
   */
  function loopComparison(test: ESTree.Expression): ESTree.CallExpression | undefined {
    if (test.type === 'LogicalExpression' && test.operator === '&&') return loopComparison(test.right);
    return test.type === 'CallExpression' ? test : undefined;
  }

  /**
   * Whether `bound` is a number, a name or a property chain of a name, none of them in `assigned`; a
   * length as the lowering reads it (`ag__.isArray(xs) ? xs.length : ag__.lengthOf(xs)`) is one too.
   */
  function fixedBound(bound: ESTree.Node, assigned: string[]): boolean {
    if (bound.type === 'Literal') return typeof bound.value === 'number' || typeof bound.value === 'boolean';
    if (bound.type === 'Identifier') return !assigned.includes(bound.name);
    if (bound.type === 'ConditionalExpression') {
      return [bound.test, bound.consequent, bound.alternate].every((part) => fixedBound(part, assigned));
    }
    const callee = runtimeCallee(bound, ctx);
    if (bound.type === 'CallExpression' && (callee === 'isArray' || callee === 'lengthOf')) {
      return bound.arguments.every((arg) => fixedBound(arg, assigned));
    }
    if (bound.type === 'MemberExpression' && bound.object.type !== 'Super') {
      const key = bound.computed ? bound.property.type === 'Literal' : bound.property.type === 'Identifier';
      return key && fixedBound(bound.object, assigned);
    }
    return false;
  }

  /** for-of, and for-in, which iterates the keys `ag__.keysOf` lists and is never staged. */
  function convertForOf(node: ESTree.ForOfStatement | ESTree.ForInStatement): ESTree.Statement[] {
    if (findEscape(node)) {
      // Jumps out of a for-of are not lowered yet; it stays native, as does anything it contains.
      const loopBody = node.body;
      node.body = single(loopBody);
      return [node];
    }
    // Flags of lowered jumps that stop this loop: tested before each iteration, and carried.
    // A flag may be a bool tensor once a staged if has set it: `!` goes through the runtime.
    const stopFlags = stopFlagsOf(node);
    const test = stopFlags.length
      ? generator(ctx.namer.fresh('loop_test'), () => [
          returnStatement(allOf(stopFlags.map((flag) => call(ctx.operator('not'), [identifier(flag)])))),
        ])
      : null;
    const bodyName = ctx.namer.fresh('loop_body');
    const state = stateFunctions(node, [...stopFlags]);
    let param: ESTree.Pattern;
    const prologue: ESTree.Statement[] = [];
    if (node.left.type === 'VariableDeclaration') {
      // A let or const loop variable becomes the body's parameter: a fresh binding per iteration.
      param = node.left.declarations[0]!.id;
    } else {
      param = identifier(ctx.namer.fresh('item_'));
      prologue.push(
        expressionStatement(assign(node.left, identifier((param as ESTree.Identifier).name)), node.left.loc),
      );
    }
    // A body may declare its own variable of the loop variable's name; it stays in a block of its own.
    const paramNames = new Set(patternIdentifiers(param).map((id) => id.name));
    const shadows =
      node.body.type === 'BlockStatement' &&
      node.body.body.some(
        (statement) =>
          (statement.type === 'VariableDeclaration' &&
            statement.declarations.some((d) => patternIdentifiers(d.id).some((id) => paramNames.has(id.name)))) ||
          ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') &&
            statement.id !== null &&
            paramNames.has(statement.id.name)),
      );
    const statements = bodyOf(node.body);
    const body = functionDeclaration(
      bodyName,
      [param],
      [...prologue, ...(shadows ? [block(statements)] : statements)],
      true,
      node.body.loc,
    );
    ctx.converted.add(body);
    return [
      ...(test ? [test] : []),
      body,
      ...state.functions,
      stage(
        'forOfStmt',
        [
          node.type === 'ForInStatement' ? call(ctx.operator('keysOf'), [node.right], node.right.loc) : node.right,
          test ? test.id! : literal(null),
          body.id!,
          ...state.args,
        ],
        node.loc,
      ),
    ];
  }

  function single(statement: ESTree.Statement): ESTree.Statement {
    return singleStatement(convertStatement(statement));
  }

  function convertStatement(node: ESTree.Statement): ESTree.Statement[] {
    switch (node.type) {
      case 'IfStatement':
        return convertIf(node);
      case 'WhileStatement':
      case 'DoWhileStatement':
        return convertWhile(node);
      case 'ForStatement':
        return convertFor(node);
      case 'ForOfStatement':
      case 'ForInStatement':
        return convertForOf(node);
      case 'SwitchStatement':
        // A switch still here stayed native (its cases declare names): a tensor discriminant is an error.
        node.discriminant = call(ctx.operator('discriminantUnstaged'), [node.discriminant], node.discriminant.loc);
        mapChildStatements(node, convertList);
        return [node];
      default:
        mapChildStatements(node, convertList);
        return [node];
    }
  }

  function convertList(list: ESTree.Statement[]): ESTree.Statement[] {
    return list.flatMap(convertStatement);
  }

  fn.body.body = convertList(fn.body.body);
  return fn;
}
