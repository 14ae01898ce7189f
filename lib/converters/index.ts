// The converter pipeline: the common lowering, then two back ends (staged and plain); the one place that
// fixes the order of the passes.

import { cloneNode, twinsIn } from '../codegen/ast.js';
import { hasAny, takeCensus, type Census } from '../analysis/census.js';
import type * as ESTree from 'estree';
import { isRestartable } from '../analysis/effects.js';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';
import type { ParsedFunction } from '../parse/parse_function.js';
import * as breakStatements from './lowering/break_statements.js';
import * as builtinCalls from './lowering/builtin_calls.js';
import * as callTrees from './lowering/call_trees.js';
import * as catchClauses from './lowering/catch_clauses.js';
import * as callbackConditions from './lowering/callback_conditions.js';
import * as conditionalExpressions from './staged/conditional_expressions.js';
import { createContext, type ConversionContext } from './context.js';
import * as continueStatements from './lowering/continue_statements.js';
import * as destructuring from './lowering/destructuring.js';
import * as elementAccess from './lowering/element_access.js';
import * as controlFlow from './staged/control_flow.js';
import * as functions from './lowering/functions.js';
import * as logicalExpressions from './staged/logical_expressions.js';
import * as localFunctions from './lowering/local_functions.js';
import * as loopScoping from './lowering/loop_scoping.js';
import * as optionalChains from './lowering/optional_chains.js';
import * as overloadedOperators from './lowering/overloaded_operators.js';
import * as plainGuards from './plain/plain_guards.js';
import * as fastPaths from './fast_paths.js';
import * as waits from './staged/waits.js';
import * as returnStatements from './lowering/return_statements.js';
import * as switchStatements from './lowering/switch_statements.js';

type Transform = (fn: ESTree.FunctionExpression, ctx: ConversionContext) => ESTree.FunctionExpression;

/**
 * A pass and when it can have work to do, judged from the census of the function as written; a pass
 * without `when` always runs. Only constructs of the user's code count: what earlier passes add never
 * needs a skipped pass (each `when` says why).
 */
interface Pass {
  transform: Transform;
  when?: (census: Census) => boolean;
  /**
   * The pass adds and removes no binding, and keeps every identifier that later passes look up in the
   * scope analysis, so the next pass may reuse it (`ctx.scopesOf`); any other pass makes it stale.
   */
  keepsScopes?: true;
  /**
   * The pass works on one function's own statements (nested functions aside): it also runs on each
   * converted twin of a local function (lowering/local_functions.ts).
   */
  perFunction?: true;
}

const LOOPS = ['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement'];
const FUNCTIONS = ['FunctionExpression', 'FunctionDeclaration', 'ArrowFunctionExpression'];

/**
 * The common lowering: the function becomes neutral runtime calls, the same for both back ends. The order
 * matters:
 * - functions first: it makes the function a generator and hoists `var`, so that later passes may move
 *   blocks into nested functions without changing what names mean.
 * - loop_scoping: gives a for loop's `let` variables a binding per iteration where closures capture them,
 *   wrapping the body in a try/finally that hands the value back; before the jump passes, so that they
 *   lower jumps inside that try like any other.
 * - switch_statements: a switch becomes a chain of ifs with its own break flag, so that a tensor
 *   discriminant stages each case and the jumps inside reach their targets through ordinary ifs.
 * - continue_statements, break_statements, return_statements: jumps become flags, before the staged back
 *   end moves bodies into nested generators, where a native jump could not reach its target. Continue
 *   goes first, so a for loop's update still runs before break turns the loop's exit into a flag; return
 *   goes last, since a return leaves every loop. Before overloaded_operators: in a staged loop a flag may
 *   become a bool tensor, so its `!` must work on tensors too.
 * - builtin_calls: Math, Number, Boolean and console; before overloaded_operators, so that
 *   `Math.floor(a / b)` still shows its division and `+` in a console argument still shows its text.
 * - callback_conditions: a tensor condition inside a callback is an error; before call_trees, while the
 *   call a callback is passed to still names it.
 * - destructuring: an array pattern takes a tensor apart along axis 0 (`ag__.unstacked`); before the
 *   element writes in patterns are split off by element_access, which then see plain names.
 * - overloaded_operators: every operator that may meet a tensor becomes a runtime call.
 * - optional_chains: a chain that calls or reads elements becomes null tests and the plain chain; after
 *   the operators, so that its null tests stay native, and before the two passes that convert the plain
 *   chain's calls and reads.
 * - call_trees: calls that may reach user code go through the runtime.
 * - element_access: member reads and updates, after the operators (which leave member updates to
 *   it) and call_trees (whose method calls read their receiver themselves). An element update is
 *   written as an assignment (`x = ag__.setPath(x, [i], v)`), so analysis sees the write.
 * - catch_clauses: every catch block first rethrows the runtime's own signals (a StagingError, the plain
 *   clone's restage signal); last, so that nothing comes before that check.
 */
const LOWERING: Pass[] = [
  // Twins are copies of local functions as written: first, so that every later pass converts them.
  { transform: localFunctions.transform, when: (c) => hasAny(c, ...FUNCTIONS) },
  { transform: loopScoping.transform, when: (c) => c.types.has('ForStatement') },
  { transform: switchStatements.transform, perFunction: true, when: (c) => c.types.has('SwitchStatement') },
  { transform: continueStatements.transform, perFunction: true, when: (c) => c.types.has('ContinueStatement') },
  // The switch lowering turns only the breaks out of a switch into its own flag.
  { transform: breakStatements.transform, perFunction: true, when: (c) => c.types.has('BreakStatement') },
  // An arrow function's expression body gets a return at the top level, which needs no lowering.
  { transform: returnStatements.transform, perFunction: true, when: (c) => c.types.has('ReturnStatement') },
  {
    transform: builtinCalls.transform,
    keepsScopes: true,
    when: (c) =>
      ['Math', 'Number', 'Boolean', 'String', 'JSON', 'console', 'isNaN', 'isFinite'].some((n) => c.names.has(n)),
  },
  { transform: callbackConditions.transform, keepsScopes: true, when: (c) => hasAny(c, ...FUNCTIONS) },
  // It moves a for-of head's pattern into the body.
  { transform: destructuring.transform, when: (c) => c.types.has('ArrayPattern') },
  // Earlier passes add operators of their own (a switch's `===`, a flag's `!`): always.
  { transform: overloadedOperators.transform, keepsScopes: true },
  // It declares temporaries for values it must not read twice.
  { transform: optionalChains.transform, when: (c) => c.types.has('ChainExpression') },
  // Earlier passes add only runtime calls, which stay as they are.
  { transform: callTrees.transform, keepsScopes: true, when: (c) => c.types.has('CallExpression') },
  // Earlier passes add only `ag__.name` members, which stay as they are. It reuses the scopes the
  // passes before it kept; its copies of update roots are not in them, so it keeps nothing for later.
  { transform: elementAccess.transform, when: (c) => c.types.has('MemberExpression') },
  // Last, so that its check is the first statement of each catch block. It may name a catch parameter.
  { transform: catchClauses.transform, when: (c) => c.types.has('CatchClause') },
];

/**
 * The staged back end, for tensors: a generator whose staged constructs are runtime operators.
 * - waits: the calls that may wait for a read become `yield*`.
 * - control_flow: analyses what each construct carries (flags included) and moves bodies into nested
 *   generators.
 * - conditional_expressions and logical_expressions: after control_flow, whose analysis would otherwise
 *   see their generator thunks as closures; `?:`, `&&`, `||` and `??` become lazy operator calls that can
 *   wait on a staged read.
 * - fast_paths: last, inline array guards for element access, which no earlier pass then has to tell
 *   from the user's own conditions.
 */
const STAGED: Pass[] = [
  // Only console and call lowering make calls that wait.
  { transform: waits.transform, when: (c) => c.types.has('CallExpression') },
  // Jump lowering adds ifs only where the user's code has loops or ifs already.
  {
    transform: controlFlow.transform,
    perFunction: true,
    when: (c) => hasAny(c, 'IfStatement', 'SwitchStatement', ...LOOPS),
  },
  // Optional chains are lowered into `?:`.
  { transform: conditionalExpressions.transform, when: (c) => hasAny(c, 'ConditionalExpression', 'ChainExpression') },
  // Jump lowering and control flow add `&&` of their own: always.
  { transform: logicalExpressions.transform },
  { transform: fastPaths.staged },
];

/**
 * The plain back end, for plain values: a synchronous clone with native control flow.
 * - plain_guards: every decision a tensor would stage restages instead, and calls that would wait run
 *   their plain variants.
 * - fast_paths: last, inline guards that run number arithmetic, comparisons and array access natively.
 */
const PLAIN: Pass[] = [{ transform: plainGuards.transform }, { transform: fastPaths.plain }];

export interface ConvertedFunction {
  /**
   * The plain clone: a synchronous copy with native control flow and guarded decisions, for every
   * function that is neither async nor a generator. Calls from synchronous callbacks run it.
   */
  plainNode?: ESTree.FunctionExpression;
  /**
   * The staged function, a generator, built by the staged back end on first request: a function that
   * only ever meets plain values never pays for it.
   */
  stagedNode(): ESTree.FunctionExpression;
  /** Whether a run of the plain clone can be abandoned without a trace, so that it may run first. */
  restartable: boolean;
  /** The name generated code uses for the runtime namespace. */
  runtime: string;
  /** The name generated code uses for the call context. */
  callContext: string;
}

/** Converts `parsed`; `scopes` is the scope analysis of the function as written, which callers have. */
export function convertFunction(
  parsed: ParsedFunction,
  scopes: ScopeInfo = analyzeScopes(parsed.node),
): ConvertedFunction {
  const census = takeCensus(parsed.node);
  const ctx = createContext(parsed, scopes, census);
  const run = (passes: Pass[], start: ESTree.FunctionExpression) => {
    ctx.forgetScopes();
    // Twins are made by the first lowering pass and never added later: found once per run.
    let twins: ESTree.FunctionDeclaration[] | undefined;
    return passes.reduce((node, pass) => {
      if (pass.when && !pass.when(census)) return node;
      const out = pass.transform(node, ctx);
      if (!pass.keepsScopes) ctx.forgetScopes();
      if (pass.perFunction) {
        // A twin is converted in place: the pass's result is the node it was given.
        twins ??= twinsIn(out);
        for (const twin of twins) pass.transform(twin as unknown as ESTree.FunctionExpression, ctx);
        ctx.forgetScopes();
      }
      return out;
    }, start);
  };
  const restartable = isRestartable(parsed.node, scopes);
  const synchronous = !parsed.node.async && !parsed.node.generator;
  const lowered = run(LOWERING, functions.transform(parsed.node, ctx));
  // The back ends fork here. The plain one works on a copy, so the lowered tree waits intact for the
  // staged one.
  const plainNode = synchronous ? run(PLAIN, { ...cloneNode(lowered), generator: false }) : undefined;
  let staged: ESTree.FunctionExpression | undefined;
  return {
    plainNode,
    stagedNode: () => (staged ??= run(STAGED, lowered)),
    restartable,
    runtime: ctx.runtime,
    callContext: ctx.callContext,
  };
}
