// What every converter pass receives: the parsed function, the namer, and how to report an error.

import type * as ESTree from 'estree';
import { ConversionError } from '../errors.js';
import { toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';
import { runtimeMember } from '../codegen/builders.js';
import { Namer } from '../codegen/namer.js';
import type { Census } from '../analysis/census.js';
import { analyzeScopes, type ScopeInfo } from '../analysis/scopes.js';

export interface ConversionContext {
  parsed: ParsedFunction;
  /** The analyses of the function as written, before any pass: its scopes, and which constructs it has. */
  scopes: ScopeInfo;
  census: Census;
  namer: Namer;
  /** The name through which generated code reaches the runtime operators. */
  runtime: string;
  /** The name of the call context (the caller's options, which callees inherit) that calls pass on. */
  callContext: string;
  /** Functions whose bodies run as converted code: the function itself and the bodies the converter made. */
  converted: Set<ESTree.Node>;
  /** The user's name for each variable a pass renamed, for the names that errors show. */
  userNames: Map<string, string>;
  /**
   * The scope analysis of `fn` as it is now: analysed on first request and kept while the passes that run
   * keep every binding and every identifier later passes look up (see `keepsScopes` in index.ts).
   */
  scopesOf(fn: ESTree.FunctionExpression): ScopeInfo;
  /** Drops the kept analysis: the pipeline calls it after each pass that may change bindings. */
  forgetScopes(): void;
  /** `ag__.name`: the runtime operator `name`, as generated code reaches it. */
  operator(name: string, loc?: ESTree.SourceLocation | null): ESTree.MemberExpression;
  /** A ConversionError at `node`, in the user's source. */
  error(problem: string, node: ESTree.Node | null | undefined, fix?: string): ConversionError;
}

export function createContext(parsed: ParsedFunction, scopes: ScopeInfo, census: Census): ConversionContext {
  const namer = new Namer(census.names);
  const runtime = namer.fresh('ag__');
  let kept: { fn: ESTree.FunctionExpression; scopes: ScopeInfo } | undefined;
  return {
    parsed,
    scopes,
    census,
    namer,
    runtime,
    callContext: namer.fresh('ag_ctx__'),
    converted: new Set(),
    userNames: new Map(),
    operator: (name, loc) => runtimeMember(runtime, name, loc),
    scopesOf(fn) {
      if (kept?.fn !== fn) kept = { fn, scopes: analyzeScopes(fn) };
      return kept.scopes;
    },
    forgetScopes() {
      kept = undefined;
    },
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
