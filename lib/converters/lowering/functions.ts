// Function wrapping: the converted function becomes a generator driven by the runtime.
//
//   async function f(x) { var y = await g(x); return y; }
// becomes
//   function* f(x) { let y; y = yield g(x); return y; }
//
// `await` becomes `yield` (the driver awaits what is yielded); `var` declarations are hoisted to a `let`
// at the top, so that later passes can move blocks into nested functions without changing scoping.

import { cloneNode, walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isRereadable } from '../../analysis/effects.js';
import { hasAny } from '../../analysis/census.js';
import { isFunctionNode, patternIdentifiers } from '../../analysis/scopes.js';
import {
  array,
  assign,
  block,
  expressionStatement,
  identifier,
  letDeclaration,
  returnStatement,
} from '../../codegen/builders.js';
import type { FunctionNode } from '../../parse/parse_function.js';
import type { ConversionContext } from '../context.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function transform(fn: FunctionNode, ctx: ConversionContext): ESTree.FunctionExpression {
  // The first pass: the function is still as written, so the analyses of the source hold.
  const { scopes, census } = ctx;
  if (fn.type === 'ArrowFunctionExpression' && scopes.thisExpressions.length > 0) {
    throw ctx.error(
      'it is an arrow function that uses `this`. Its `this` is lexical and cannot be recovered from its source.',
      scopes.thisExpressions[0],
      'write it as a function expression or a method, whose `this` is the receiver of the call.',
    );
  }
  const evalUse = scopes.free.get('eval');
  if (evalUse) {
    throw ctx.error(
      'it uses `eval`, whose code the converter cannot see.',
      evalUse,
      'write the code directly in the function.',
    );
  }
  const args = scopes.free.get('arguments');
  if (args) {
    throw ctx.error('it uses `arguments`.', args, 'declare rest parameters instead: function f(...args) { ... }.');
  }

  const body: ESTree.BlockStatement =
    fn.body.type === 'BlockStatement' ? fn.body : block([{ ...returnStatement(fn.body), loc: fn.body.loc }]);

  const hoisted: string[] = [];
  const params = new Set(fn.params.flatMap((param) => patternIdentifiers(param).map((id) => id.name)));
  // Default values (`y = h(x)`, `{ k = f() } = {}`) may call the user's functions, print, or test a
  // tensor, which converted code can only do in its body (a generator's parameters cannot wait): such a
  // parameter becomes a plain one, taken apart by a `let` at the top of the body.
  const takenApart: ESTree.Statement[] = [];
  const declaredInBody = bodyDeclarations(body);
  // Once one parameter moves, every later one with a default moves too: defaults run left to right and
  // may read the parameters before them.
  let moving = false;
  const parameters = fn.params.map((param) => {
    if (param.type === 'Identifier') return param;
    moving ||= defaultNeedsBody(param);
    if (!moving || !hasDefault(param)) return param;
    // In the body, a default would see the body's own declarations, which a parameter's default cannot.
    const clash = patternNames(param).find((name) => declaredInBody.has(name));
    if (clash) {
      throw ctx.error(
        `a default parameter value calls a function, waits, or tests a condition, which converted code does at ` +
          `the top of the body, and it uses '${clash}', which the body declares too.`,
        param,
        `rename the body's '${clash}', or compute the default in the body: if (y === undefined) y = ...;`,
      );
    }
    const rest = param.type === 'RestElement';
    const name = identifier(ctx.namer.fresh('param_'));
    takenApart.push({
      type: 'VariableDeclaration',
      kind: 'let',
      declarations: [
        // `y = h(x)` alone is no declarator: `let [y = h(x)] = [param_]` applies the default as a call does.
        param.type === 'AssignmentPattern'
          ? {
              type: 'VariableDeclarator',
              id: { type: 'ArrayPattern', elements: [param] },
              init: array([name]),
              loc: param.loc,
            }
          : {
              type: 'VariableDeclarator',
              id: rest ? param.argument : param,
              init: identifier(name.name),
              loc: param.loc,
            },
      ],
      loc: param.loc,
    });
    return rest ? { type: 'RestElement', argument: name } : name;
  }) as ESTree.Pattern[];
  body.body.unshift(...takenApart);
  // `super` and `new.target` belong to the function's class or constructor call, which converted code,
  // loaded on its own, does not have. Nested arrow functions share them, so they are checked too.
  if (hasAny(census, 'Super', 'MetaProperty'))
    walk(body as ESTree.Node, {
      enter(node) {
        if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') return this.skip();
        if (node.type === 'Super') {
          throw ctx.error(
            'it uses `super`, which works only inside its class, and converted code runs outside it.',
            node,
            "call the parent's method through its prototype instead: Parent.prototype.method.call(this, ...).",
          );
        }
        if (node.type === 'MetaProperty' && node.meta.name === 'new') {
          throw ctx.error(
            'it uses `new.target`, but converted functions are called, not constructed.',
            node,
            'pass what new.target tells apart as an argument.',
          );
        }
      },
    });
  // Logical assignments become the operators they abbreviate, which later passes stage on tensors:
  // `y &&= v` is `y = y && v`, and `o.p ||= v` is `o.p || (o.p = v)`, assigning only when JavaScript does.
  // A const keeps the native form: assigning to it must throw only when the assignment happens.
  if (census.types.has('LogicalAssignment'))
    walk(body as ESTree.Node, {
      leave(node) {
        if (node.type !== 'AssignmentExpression' || !['&&=', '||=', '??='].includes(node.operator)) return;
        const operator = node.operator.slice(0, 2) as ESTree.LogicalOperator;
        const { left, right } = node;
        if (left.type === 'Identifier') {
          if (scopes.referenceOf.get(left)?.binding?.kind === 'const') return;
          const value: ESTree.LogicalExpression = {
            type: 'LogicalExpression',
            operator,
            left: { ...left },
            right,
            loc: node.loc,
          };
          this.replace({ ...assign(identifier(left.name), value), loc: node.loc });
        } else if (left.type === 'MemberExpression' && isRereadable(left)) {
          const store = { ...assign(cloneNode(left), right), loc: node.loc };
          this.replace({ type: 'LogicalExpression', operator, left, right: store, loc: node.loc } as ESTree.Node);
        }
      },
    });
  if (hasAny(census, 'AwaitExpression', 'VarDeclaration', 'ForOfStatement'))
    walk(body as ESTree.Node, {
      enter(node) {
        if (isFunctionNode(node)) return this.skip();
        if (node.type === 'ForOfStatement' && node.await) {
          throw ctx.error(
            'it uses `for await`, which converted code does not support yet.',
            node,
            'collect the values first (const items = await Promise.all(...)) and loop over them with for-of.',
          );
        }
      },
      leave(node, parent, key) {
        if (node.type === 'AwaitExpression') {
          this.replace({
            type: 'YieldExpression',
            argument: node.argument,
            delegate: false,
            loc: node.loc,
          } as ESTree.Node);
          return;
        }
        if (node.type !== 'VariableDeclaration' || node.kind !== 'var') return;
        for (const declarator of node.declarations) {
          for (const id of patternIdentifiers(declarator.id)) {
            if (!params.has(id.name) && !hoisted.includes(id.name)) hoisted.push(id.name);
          }
        }
        const inits = node.declarations
          .filter((declarator) => declarator.init)
          .map((declarator) => ({ ...assign(declarator.id, declarator.init!), loc: declarator.loc }));
        const isForHead =
          (parent?.type === 'ForStatement' && key === 'init') ||
          ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && key === 'left');
        if (isForHead) {
          if (key === 'left') this.replace(node.declarations[0]!.id as ESTree.Node);
          else if (inits.length === 0) this.replace({ type: 'Identifier', name: 'undefined' } as ESTree.Node);
          else
            this.replace(
              (inits.length === 1 ? inits[0] : { type: 'SequenceExpression', expressions: inits }) as ESTree.Node,
            );
        } else if (inits.length === 0) {
          this.replace({ type: 'EmptyStatement' });
        } else {
          const expression: ESTree.Expression =
            inits.length === 1 ? inits[0]! : { type: 'SequenceExpression', expressions: inits };
          this.replace(expressionStatement(expression, node.loc));
        }
      },
    });
  body.body = body.body.filter((statement) => statement.type !== 'EmptyStatement');
  if (hoisted.length > 0) body.body.unshift(letDeclaration(hoisted));
  if (census.types.has('FunctionDeclaration')) hoistFunctionDeclarations(body);

  // Bodies move into nested generator functions, which have a `this` of their own; the receiver is
  // captured once, as arrow functions capture it.
  if (scopes.thisExpressions.length > 0) {
    const self = ctx.namer.fresh('self');
    ctx.userNames.set(self, 'this');
    const own = new Set<ESTree.Node>(scopes.thisExpressions);
    walk(body as ESTree.Node, {
      enter(node) {
        if (own.has(node)) this.replace({ ...identifier(self), loc: node.loc } as ESTree.Node);
      },
    });
    body.body.unshift({
      type: 'VariableDeclaration',
      kind: 'const',
      declarations: [{ type: 'VariableDeclarator', id: identifier(self), init: { type: 'ThisExpression' } }],
    });
  }

  // The generator keeps the user's name unless the body refers to that name: a call by that name must
  // reach a function, not this generator.
  const name = ctx.parsed.name;
  const keepsName = IDENTIFIER.test(name) && !scopes.references.some((reference) => reference.id.name === name);
  const converted: ESTree.FunctionExpression = {
    type: 'FunctionExpression',
    id: keepsName ? identifier(name) : null,
    params: parameters,
    body,
    generator: true,
    async: false,
    loc: fn.loc,
  };
  ctx.converted.add(converted);
  return converted;
}

/**
 * Moves function declarations to the top of their block, as JavaScript hoists them, so that later passes
 * may drop dead code after a return or move code into branches without losing a function it declares.
 */
function hoistFunctionDeclarations(root: ESTree.BlockStatement): void {
  const hoist = (list: ESTree.Statement[]) => [
    ...list.filter((statement) => statement.type === 'FunctionDeclaration'),
    ...list.filter((statement) => statement.type !== 'FunctionDeclaration'),
  ];
  root.body = hoist(root.body);
  walk(root as ESTree.Node, {
    enter(node) {
      if (isFunctionNode(node)) return this.skip();
      if (node.type === 'BlockStatement' || node.type === 'StaticBlock')
        node.body = hoist(node.body as ESTree.Statement[]) as never;
      if (node.type === 'SwitchCase') node.consequent = hoist(node.consequent);
    },
  });
}

/** Whether a parameter pattern has a default value anywhere in it. */
function hasDefault(param: ESTree.Pattern): boolean {
  let found = false;
  walk(param as ESTree.Node, {
    enter(node) {
      if (node.type === 'AssignmentPattern') found = true;
      if (found || isFunctionNode(node)) this.skip();
    },
  });
  return found;
}

/**
 * Whether a parameter's default value (anywhere in its pattern) calls a function, tests a condition
 * (`?:`, `&&`, `||`, `??`) or waits: what converted code can only do in its body. Other defaults stay.
 */
function defaultNeedsBody(param: ESTree.Pattern): boolean {
  let inDefault = 0;
  let found = false;
  walk(param as ESTree.Node, {
    enter(node, parent, key) {
      if (found || isFunctionNode(node)) return this.skip();
      if (parent?.type === 'AssignmentPattern' && key === 'right') inDefault++;
      if (
        inDefault > 0 &&
        (node.type === 'CallExpression' ||
          node.type === 'ConditionalExpression' ||
          node.type === 'LogicalExpression' ||
          node.type === 'AwaitExpression')
      ) {
        found = true;
      }
    },
    leave(node, parent, key) {
      if (parent?.type === 'AssignmentPattern' && key === 'right') inDefault--;
    },
  });
  return found;
}

/** Every identifier's name in a parameter, the names it binds and the names its defaults read. */
function patternNames(param: ESTree.Pattern): string[] {
  const names: string[] = [];
  walk(param as ESTree.Node, {
    enter(node) {
      if (node.type === 'Identifier') names.push(node.name);
    },
  });
  return names;
}

/** The names the body declares where a default moved to its top would see them. */
function bodyDeclarations(body: ESTree.BlockStatement): Set<string> {
  const names = new Set<string>();
  for (const statement of body.body) {
    if ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') && statement.id) {
      names.add(statement.id.name);
    }
  }
  walk(body as ESTree.Node, {
    enter(node, parent) {
      if (isFunctionNode(node)) return this.skip();
      const topLevel = parent === body;
      if (node.type === 'VariableDeclaration' && (node.kind === 'var' || topLevel)) {
        for (const declarator of node.declarations) {
          for (const id of patternIdentifiers(declarator.id)) names.add(id.name);
        }
      }
    },
  });
  return names;
}
