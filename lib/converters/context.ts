// What every converter pass receives: the parsed function, the namer, and how to report an error.

import type * as ESTree from 'estree';
import { ConversionError } from '../errors.js';
import { toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';
import { Namer } from '../codegen/namer.js';

export interface ConversionContext {
  parsed: ParsedFunction;
  namer: Namer;
  /** The name through which generated code reaches the runtime operators. */
  runtime: string;
  /** The name of the call context (the caller's options, which callees inherit) that calls pass on. */
  callContext: string;
  /** Functions whose bodies run as converted code: the function itself and the bodies the converter made. */
  converted: WeakSet<ESTree.Node>;
  /** The flags that stop each for-of loop, recorded by the jump passes for control_flow's extra test. */
  loopStopFlags: WeakMap<ESTree.Node, string[]>;
  /** The inline number fast paths the operators pass made in the plain clone, whose runtime side alone
   * the clone's guards wrap. */
  numberFastPaths: WeakSet<ESTree.Node>;
  /** Inline type guards (`typeof i === "number" && ag__.isArray(x) ? x[i] : ag__.getItem(x, i)`) whose
   * tests later passes leave as written: they only choose the native path for plain values. */
  typeGuards: WeakSet<ESTree.Node>;
  /** The name each callback (a nested function that is not converted code) is known by in messages. */
  callbackNames: WeakMap<ESTree.Node, string>;
  /** The user's name for each variable a pass renamed, for the names that errors show. */
  userNames: Map<string, string>;
  /** True while building the plain clone, the synchronous copy for plain values. */
  plainClone?: boolean;
  /** The variables that hold the return flag and value, once return_statements has lowered the returns. */
  returnFlag?: string;
  returnVariable?: string;
  /** A ConversionError at `node`, in the user's source. */
  error(problem: string, node: ESTree.Node | null | undefined, fix?: string): ConversionError;
}

export function createContext(parsed: ParsedFunction, usedNames: Iterable<string>): ConversionContext {
  const namer = new Namer(usedNames);
  return {
    parsed,
    namer,
    runtime: namer.fresh('ag__'),
    callContext: namer.fresh('ag_ctx__'),
    converted: new WeakSet(),
    loopStopFlags: new WeakMap(),
    numberFastPaths: new WeakSet(),
    userNames: new Map(),
    callbackNames: new WeakMap(),
    typeGuards: new WeakSet(),
    error(problem, node, fix) {
      return new ConversionError(problem, {
        functionName: parsed.name,
        source: parsed.source,
        position: node?.loc ? toSourcePosition(parsed, node.loc.start) : undefined,
        fix,
      });
    },
  };
}

/**
 * `test ? native : viaRuntime`, registered as an inline type guard: later passes leave its test as written,
 * since it only chooses the native path for plain values.
 */
export function typeGuard(
  ctx: ConversionContext,
  test: ESTree.Expression,
  native: ESTree.Expression,
  viaRuntime: ESTree.Expression,
  loc: ESTree.SourceLocation | null | undefined,
): ESTree.ConditionalExpression {
  const guard: ESTree.ConditionalExpression = {
    type: 'ConditionalExpression',
    test,
    consequent: native,
    alternate: viaRuntime,
    loc,
  };
  ctx.typeGuards.add(guard);
  return guard;
}
