// Census: which node types and names a function contains, taken in one walk, so that the pipeline skips
// the passes that would find nothing to do (a function with no loops needs no loop scoping).

import type * as ESTree from 'estree';
import { walk } from '../codegen/ast.js';

export interface Census {
  /**
   * The type of every node below the function itself, and two kinds that the type alone does not tell:
   * `VarDeclaration` (a `var`) and `LogicalAssignment` (`&&=`, `||=`, `??=`).
   */
  types: ReadonlySet<string>;
  /** The name of every identifier: the namer avoids them, and built-in names are looked up here. */
  names: ReadonlySet<string>;
}

export function takeCensus(fn: ESTree.Node): Census {
  const types = new Set<string>();
  const names = new Set<string>();
  walk(fn, {
    enter(node) {
      if (node !== fn) types.add(node.type);
      if (node.type === 'VariableDeclaration' && node.kind === 'var') types.add('VarDeclaration');
      if (node.type === 'AssignmentExpression' && ['&&=', '||=', '??='].includes(node.operator)) {
        types.add('LogicalAssignment');
      }
      if (node.type === 'Identifier') names.add(node.name);
    },
  });
  return { types, names };
}

/** Whether the census saw any of `types`. */
export const hasAny = (census: Census, ...types: string[]): boolean => types.some((type) => census.types.has(type));
