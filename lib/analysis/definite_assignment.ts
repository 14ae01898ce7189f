// Definite assignment: whether every path through a statement assigns a given variable.

import type * as ESTree from 'estree';
import { patternIdentifiers, type Binding, type ScopeInfo } from './scopes.js';

function assignsIn(expression: ESTree.Expression, binding: Binding, scopes: ScopeInfo): boolean {
  switch (expression.type) {
    case 'AssignmentExpression':
      return (
        patternIdentifiers(expression.left).some((id) => scopes.referenceOf.get(id)?.binding === binding) ||
        assignsIn(expression.right, binding, scopes)
      );
    case 'UpdateExpression':
      return (
        expression.argument.type === 'Identifier' && scopes.referenceOf.get(expression.argument)?.binding === binding
      );
    case 'SequenceExpression':
      return expression.expressions.some((item) => assignsIn(item, binding, scopes));
    default:
      return false;
  }
}

/**
 * Whether every normal path through `statement` assigns `binding`. Conservative: loops other than
 * do-while may run zero times, and a try may throw before assigning, so they count only through the
 * parts that always run.
 */
export function definitelyAssigns(
  statement: ESTree.Statement | null | undefined,
  binding: Binding,
  scopes: ScopeInfo,
): boolean {
  if (!statement) return false;
  switch (statement.type) {
    case 'ExpressionStatement':
      return assignsIn(statement.expression, binding, scopes);
    case 'BlockStatement':
      return statement.body.some((item) => definitelyAssigns(item, binding, scopes));
    case 'IfStatement':
      return (
        definitelyAssigns(statement.consequent, binding, scopes) &&
        definitelyAssigns(statement.alternate, binding, scopes)
      );
    case 'LabeledStatement':
      return definitelyAssigns(statement.body, binding, scopes);
    case 'DoWhileStatement':
      return definitelyAssigns(statement.body, binding, scopes);
    case 'TryStatement':
      return (
        definitelyAssigns(statement.finalizer, binding, scopes) ||
        (definitelyAssigns(statement.block, binding, scopes) &&
          (!statement.handler || definitelyAssigns(statement.handler.body, binding, scopes)))
      );
    default:
      return false;
  }
}
