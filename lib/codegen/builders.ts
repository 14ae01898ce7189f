// Small ESTree builders: converters make generated code from these, never from strings.

import type * as ESTree from 'estree';

export const identifier = (name: string): ESTree.Identifier => ({ type: 'Identifier', name });

export const literal = (value: string | number | boolean | null): ESTree.Literal =>
  ({ type: 'Literal', value }) as ESTree.Literal;

export const member = (object: ESTree.Expression, property: string): ESTree.MemberExpression => ({
  type: 'MemberExpression',
  object,
  property: identifier(property),
  computed: false,
  optional: false,
});

export const call = (
  callee: ESTree.Expression,
  args: (ESTree.Expression | ESTree.SpreadElement)[],
  loc?: ESTree.SourceLocation | null,
): ESTree.CallExpression => ({ type: 'CallExpression', callee, arguments: args, optional: false, loc });

export const array = (elements: (ESTree.Expression | ESTree.SpreadElement | null)[]): ESTree.ArrayExpression => ({
  type: 'ArrayExpression',
  elements,
});

export const arrayPattern = (elements: ESTree.Pattern[]): ESTree.ArrayPattern => ({ type: 'ArrayPattern', elements });

export const expressionStatement = (
  expression: ESTree.Expression,
  loc?: ESTree.SourceLocation | null,
): ESTree.ExpressionStatement => ({ type: 'ExpressionStatement', expression, loc });

export const not = (argument: ESTree.Expression): ESTree.UnaryExpression => ({
  type: 'UnaryExpression',
  operator: '!',
  prefix: true,
  argument,
});

export const logical = (
  operator: ESTree.LogicalOperator,
  left: ESTree.Expression,
  right: ESTree.Expression,
): ESTree.LogicalExpression => ({ type: 'LogicalExpression', operator, left, right });

/** `a && b && ...` over one or more expressions. */
export const allOf = (expressions: ESTree.Expression[]): ESTree.Expression =>
  expressions.slice(1).reduce((all, next) => logical('&&', all, next), expressions[0]!);

export const binary = (
  operator: ESTree.BinaryOperator,
  left: ESTree.Expression,
  right: ESTree.Expression,
): ESTree.BinaryExpression => ({ type: 'BinaryExpression', operator, left, right });

export const conditional = (
  test: ESTree.Expression,
  consequent: ESTree.Expression,
  alternate: ESTree.Expression,
  loc?: ESTree.SourceLocation | null,
): ESTree.ConditionalExpression => ({ type: 'ConditionalExpression', test, consequent, alternate, loc });

/** `typeof argument`. */
export const typeOf = (argument: ESTree.Expression): ESTree.UnaryExpression => ({
  type: 'UnaryExpression',
  operator: 'typeof',
  prefix: true,
  argument,
});

/** The runtime operator `name`, as generated code reaches it: `ag__.name`. */
export const runtimeMember = (runtime: string, name: string, loc?: ESTree.SourceLocation | null) =>
  member({ ...identifier(runtime), loc }, name);

export const assign = (left: ESTree.Pattern, right: ESTree.Expression): ESTree.AssignmentExpression => ({
  type: 'AssignmentExpression',
  operator: '=',
  left,
  right,
});

export const returnStatement = (argument: ESTree.Expression | null): ESTree.ReturnStatement => ({
  type: 'ReturnStatement',
  argument,
});

export const block = (body: ESTree.Statement[]): ESTree.BlockStatement => ({ type: 'BlockStatement', body });

export const yieldDelegate = (argument: ESTree.Expression): ESTree.YieldExpression => ({
  type: 'YieldExpression',
  argument,
  delegate: true,
});

export const letDeclaration = (names: string[], kind: 'let' | 'var' | 'const' = 'let'): ESTree.VariableDeclaration => ({
  type: 'VariableDeclaration',
  kind,
  declarations: names.map((name) => ({ type: 'VariableDeclarator', id: identifier(name), init: null })),
});

export function functionDeclaration(
  name: string,
  params: ESTree.Pattern[],
  body: ESTree.Statement[],
  generator: boolean,
  loc?: ESTree.SourceLocation | null,
): ESTree.FunctionDeclaration {
  return {
    type: 'FunctionDeclaration',
    id: identifier(name),
    params,
    body: block(body),
    generator,
    async: false,
    loc,
  };
}
