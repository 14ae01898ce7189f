// Works out at build time what graph mode reads off converted code at run time: whether each function changes anything outside itself.

import type * as ESTree from 'estree';
import { walk } from '../codegen/ast.js';
import { call, expressionStatement, identifier, literal, member } from '../codegen/builders.js';
import { generate } from '../codegen/generate.js';
import { analyse } from '../graph/local_purity.js';
import { CHANGES, type Reach } from '../operators/analysed.js';

/** The CHANGES bits of the function in `node`, read from its code as run time would read it. */
export function changesOf(node: ESTree.Node): number {
  const source = generate(node).code;
  let bits = 0;
  for (const reach of Object.keys(CHANGES) as Reach[]) if (analyse(source, reach)) bits |= CHANGES[reach];
  return bits;
}

const isFunction = (node: ESTree.Node) =>
  node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'FunctionDeclaration';

/**
 * Graph mode decides whether a trace can be replayed by reading the generated code of the functions it
 * meets (graph/local_purity.ts), by the names the converter gives (`ag__`, `tf`). A bundle renames them,
 * so the answers are worked out here, on the code as generated, and handed over: each nested function
 * expression becomes `ag__.analysed(fn, bits)`, and each nested declaration gets `ag__.analysed(name, bits)`
 * at the top of its block. Changes the tree in place.
 */
export function addPurityFacts(fn: ESTree.FunctionExpression, runtime: string): void {
  const bits = new Map<ESTree.Node, number>();
  walk(fn.body, {
    enter(node, parent) {
      // A method's function (`{ m() {} }`, a class's, an accessor) cannot be wrapped in a call: graph mode
      // never reads one alone either.
      const method =
        parent?.type === 'MethodDefinition' ||
        (parent?.type === 'Property' && (parent.method || parent.kind !== 'init'));
      if (isFunction(node) && !method) bits.set(node, changesOf(node));
    },
  });
  const record = (target: ESTree.Expression, node: ESTree.Node) =>
    call(member(identifier(runtime), 'analysed'), [target, literal(bits.get(node)!)]);
  /** The statements with a record of each function they declare first: declarations are hoisted. */
  const withRecords = (statements: ESTree.Statement[]) => {
    const declared = statements.filter(
      (s): s is ESTree.FunctionDeclaration => s.type === 'FunctionDeclaration' && s.id !== null && bits.has(s),
    );
    const records = declared.map((d) => expressionStatement(record(identifier(d.id!.name), d)));
    return records.length ? [...records, ...statements] : statements;
  };
  walk(fn.body, {
    leave(node) {
      if ((node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') && bits.has(node)) {
        this.replace(record(node, node));
      } else if (node.type === 'BlockStatement' || node.type === 'StaticBlock') {
        node.body = withRecords(node.body);
      } else if (node.type === 'SwitchCase') {
        node.consequent = withRecords(node.consequent);
      }
    },
  });
}
