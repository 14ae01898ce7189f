// Makes converted code record which statement it is at, so that a bundle can locate errors without source maps.

import type * as ESTree from 'estree';
import { walk } from '../codegen/ast.js';
import { assign, call, expressionStatement, identifier, literal, member } from '../codegen/builders.js';
import { Namer } from '../codegen/namer.js';
import { toSourcePosition } from '../parse/parse_function.js';

/** The converted function with markers, and the original position (line, column pairs) of each index. */
export interface MarkedFunction {
  node: ESTree.FunctionExpression;
  positions: number[];
}

/**
 * Before each statement of `fn` that comes from the user's code, `at = K;`, where K indexes `positions`;
 * each function's body (`fn`'s, and every nested function's: callbacks, loop bodies, branches) declares
 * its own `at` and runs in a try whose catch throws `context.locate(error, at)`, which notes the position
 * for the error and gives it back. In a bundle, stack traces point into renamed, minified code, and the
 * browser may load no source map: the index is what survives. The innermost function notes first, so an
 * error is placed at the statement that raised it, not at the last one a callback ran.
 *
 * `positions` is shared by the staged and plain code of one function, so that equal positions share an index.
 */
export function addPositionMarkers(
  fn: ESTree.FunctionExpression,
  context: string,
  parsed: { prefixLength: number },
  positions: number[],
): MarkedFunction {
  const used = new Set<string>();
  walk(fn, {
    enter(node) {
      if (node.type === 'Identifier') used.add(node.name);
    },
  });
  const namer = new Namer(used);
  const at = namer.fresh('ag_at__');
  const caught = namer.fresh('ag_error__');
  const indexOf = new Map<string, number>();
  for (let i = 0; i < positions.length; i += 2) indexOf.set(`${positions[i]}:${positions[i + 1]}`, i / 2);
  const marker = (statement: ESTree.Statement): ESTree.Statement | undefined => {
    const start = statement.loc?.start;
    if (!start || isDirective(statement)) return undefined;
    const { line, column } = toSourcePosition(parsed, start);
    const key = `${line}:${column}`;
    let index = indexOf.get(key);
    if (index === undefined) {
      index = positions.length / 2;
      positions.push(line, column);
      indexOf.set(key, index);
    }
    return expressionStatement(assign(identifier(at), literal(index)));
  };
  const mark = (statements: ESTree.Statement[]) =>
    statements.flatMap((statement) => {
      const before = marker(statement);
      return before ? [before, statement] : [statement];
    });
  /** A function body that declares its own `at` and notes it for what it throws. */
  const guarded = (body: ESTree.BlockStatement): ESTree.BlockStatement => {
    const prologue = body.body.findIndex((statement) => !isDirective(statement));
    const directives = prologue < 0 ? body.body : body.body.slice(0, prologue);
    const rest = prologue < 0 ? [] : body.body.slice(prologue);
    return {
      ...body,
      body: [
        ...directives,
        {
          type: 'VariableDeclaration',
          kind: 'let',
          declarations: [{ type: 'VariableDeclarator', id: identifier(at), init: literal(-1) }],
        },
        {
          type: 'TryStatement',
          block: { type: 'BlockStatement', body: rest },
          handler: {
            type: 'CatchClause',
            param: identifier(caught),
            body: {
              type: 'BlockStatement',
              body: [
                {
                  type: 'ThrowStatement',
                  argument: call(member(identifier(context), 'locate'), [identifier(caught), identifier(at)]),
                },
              ],
            },
          },
          finalizer: null,
        },
      ],
    };
  };
  walk(fn.body, {
    leave(node) {
      if (node.type === 'BlockStatement' || node.type === 'StaticBlock') node.body = mark(node.body);
      else if (node.type === 'SwitchCase') node.consequent = mark(node.consequent);
    },
  });
  walk(fn.body, {
    leave(node) {
      const nested =
        node.type === 'FunctionExpression' ||
        node.type === 'FunctionDeclaration' ||
        node.type === 'ArrowFunctionExpression';
      if (nested && node.body.type === 'BlockStatement') node.body = guarded(node.body);
    },
  });
  return { node: { ...fn, body: guarded(fn.body) }, positions };
}

const isDirective = (statement: ESTree.Statement) =>
  statement.type === 'ExpressionStatement' && 'directive' in statement && typeof statement.directive === 'string';
