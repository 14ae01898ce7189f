// Sees through the helpers that TypeScript and esbuild put inside compiled function bodies.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { ConversionError } from '../errors.js';
import type { ParsedFunction } from './parse_function.js';
import { toSourcePosition } from './positions.js';

/** esbuild's `keepNames` wraps functions in `__name(fn, "name")` to keep `fn.name`; the wrapper changes nothing else. */
const NAME_HELPERS = new Set(['__name']);

/** Helpers that mean async code was downlevelled into generators, and the setting that avoids it. */
const DOWNLEVELLED_ASYNC: Record<string, string> = {
  __awaiter: 'compile with TypeScript\'s "target" set to "ES2017" or later (ES2020 recommended)',
  __async: "compile with esbuild's target set to es2017 or later",
  __generator: 'compile with TypeScript\'s "target" set to "ES2017" or later (ES2020 recommended)',
};

function helperName(node: ESTree.Node): string | undefined {
  if (node.type === 'CallExpression' && node.callee.type === 'Identifier') return node.callee.name;
  return undefined;
}

/** Removes known no-op helpers in place and rejects downlevelled async code with the compiler setting to change. */
export function stripCompilerHelpers(parsed: ParsedFunction): void {
  walk(parsed.node as ESTree.Node, {
    enter(node) {
      // esbuild emits `__name(inner, "inner");` after hoisted function declarations.
      if (node.type === 'ExpressionStatement') {
        const statementHelper = helperName(node.expression);
        if (statementHelper !== undefined && NAME_HELPERS.has(statementHelper)) this.remove();
        return;
      }
      const name = helperName(node);
      if (name !== undefined && name in DOWNLEVELLED_ASYNC) {
        throw new ConversionError(`its body was compiled into the ${name} helper, which hides its control flow.`, {
          functionName: parsed.name,
          source: parsed.source,
          position: node.loc ? toSourcePosition(parsed, node.loc.start) : undefined,
          fix: `${DOWNLEVELLED_ASYNC[name]}, so that async functions stay native.`,
        });
      }
    },
    leave(node) {
      const name = helperName(node);
      if (name !== undefined && NAME_HELPERS.has(name)) {
        const [wrapped] = (node as ESTree.CallExpression).arguments;
        if (wrapped && wrapped.type !== 'SpreadElement') this.replace(wrapped);
      }
    },
  });
}
