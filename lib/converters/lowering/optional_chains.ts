// Optional chains: a chain that calls or reads elements becomes null tests and the plain chain, so that
// its calls and reads convert as any other.
//
//   y = o?.f?.(x);           becomes   y = o == null || o.f == null ? undefined : o.f(x);
//   y = a?.b?.c(x)[0];       becomes   y = a == null || a.b == null ? undefined : a.b.c(x)[0];
//   y = make()?.g(x);        becomes   y = (chain_ = make()) == null ? undefined : chain_.g(x);
//   y = make().m?.(x);       becomes   y = (chain_2 = (chain_ = make()).m) == null ? undefined : chain_2.call(chain_, x);
//
// Each tested value is read once, as JavaScript reads it: a name, `this` or a member chain of those is read
// again (as `o.m?.()` reads `o.m` twice through a getter, the one difference); anything else goes through
// a temporary that the enclosing function declares. The null tests are native comparisons, which the
// staged back end keeps native. A chain of plain property reads (`o?.p.q`) stays as written, and so does a
// chain under `delete`, a `super` chain, one through a private member, and one in a parameter list.
//
// After overloaded_operators, so that the null tests stay native, and before call_trees and
// element_access, which then convert the plain chain's calls and reads.

import { walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isRereadable } from '../../analysis/effects.js';
import { isFunctionNode } from '../../analysis/scopes.js';
import {
  assign,
  binary,
  block,
  call,
  conditional,
  identifier,
  letDeclaration,
  literal,
  logical,
  member,
  returnStatement,
} from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';

type Link = ESTree.MemberExpression | ESTree.SimpleCallExpression;

/** The chain's links from its base outwards: `a?.b.c(x)` is `a`, then `.b`, `.c` and `(x)`. */
function linksOf(expression: ESTree.Expression): { base: ESTree.Expression | ESTree.Super; links: Link[] } {
  const links: Link[] = [];
  let node: ESTree.Expression | ESTree.Super = expression;
  while (node.type === 'MemberExpression' || node.type === 'CallExpression') {
    links.unshift(node);
    node = node.type === 'MemberExpression' ? node.object : node.callee;
  }
  return { base: node, links };
}

/** Whether the chain has something the lowering converts: a call, an element read or a `length`. */
const needsLowering = (links: Link[]) =>
  links.some(
    (link) =>
      link.type === 'CallExpression' ||
      link.computed ||
      (link.property.type === 'Identifier' && link.property.name === 'length'),
  );

const isPrivate = (link: Link) => link.type === 'MemberExpression' && link.property.type === 'PrivateIdentifier';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  // The temporaries of each function on the way down.
  const functions: { node: ESTree.Function; temporaries: string[] }[] = [];
  const temporary = () => {
    const name = ctx.namer.fresh('chain_');
    functions[functions.length - 1]!.temporaries.push(name);
    return identifier(name);
  };

  const lower = (chain: ESTree.ChainExpression): ESTree.Expression | undefined => {
    const { base, links } = linksOf(chain.expression);
    if (base.type === 'Super' || !needsLowering(links) || links.some(isPrivate)) return undefined;
    const tests: ESTree.Expression[] = [];
    let current: ESTree.Expression = base;
    // Set when `current` is a method held in a temporary: the receiver its call must get.
    let receiver: ESTree.Identifier | undefined;
    for (const link of links) {
      if (link.optional) {
        const testsCallee = link.type === 'CallExpression';
        if (isRereadable(current)) {
          tests.push(binary('==', current, literal(null)));
        } else if (testsCallee && current.type === 'MemberExpression') {
          // `make().m?.(x)`: the receiver and the method each read once, the call given the receiver.
          receiver = temporary();
          const method = temporary();
          const read: ESTree.MemberExpression = {
            ...current,
            object: assign(receiver, current.object as ESTree.Expression),
          };
          tests.push(binary('==', assign(method, read), literal(null)));
          current = method;
        } else {
          const held = temporary();
          tests.push(binary('==', assign(held, current), literal(null)));
          current = held;
        }
      }
      if (link.type === 'MemberExpression') {
        current = { ...link, object: current, optional: false };
        receiver = undefined;
      } else {
        const args = receiver ? [receiver, ...link.arguments] : link.arguments;
        const callee = receiver ? member(current, 'call') : current;
        current = call(callee, args, link.loc);
        receiver = undefined;
      }
    }
    // The tests run in order, each only when the ones before it passed.
    const test = tests.reduce((all, next) => logical('||', all, next));
    return conditional(test, identifier('undefined'), current, chain.loc);
  };

  // Chains in parameter lists stay as written: a default value cannot see temporaries the body declares.
  const inParameters = new Set<ESTree.Node>();
  walk(fn as ESTree.Node, {
    enter(node) {
      if (isFunctionNode(node)) functions.push({ node, temporaries: [] });
      if (!isFunctionNode(node)) return;
      for (const param of node.params) {
        walk(param as ESTree.Node, {
          enter(inner) {
            if (inner.type === 'ChainExpression') inParameters.add(inner);
          },
        });
      }
    },
    leave(node, parent) {
      if (isFunctionNode(node)) {
        const { temporaries } = functions.pop()!;
        if (temporaries.length > 0) declare(node, temporaries);
        return;
      }
      if (node.type !== 'ChainExpression' || inParameters.has(node)) return;
      if (parent?.type === 'UnaryExpression' && parent.operator === 'delete') return;
      const lowered = lower(node);
      if (lowered) this.replace(lowered);
    },
  });
  return fn;
}

/** `let chain_, ...;` at the top of the function's body, after its directives. */
function declare(fn: ESTree.Function, names: string[]): void {
  if (fn.body.type !== 'BlockStatement') {
    const value = fn.body;
    fn.body = block([{ ...returnStatement(value), loc: value.loc }]);
    (fn as ESTree.ArrowFunctionExpression).expression = false;
  }
  const body = fn.body.body;
  let start = 0;
  while (start < body.length && 'directive' in body[start]!) start++;
  body.splice(start, 0, letDeclaration(names));
}
