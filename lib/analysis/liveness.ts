// Liveness analysis: which local variables may be read after each construct, and at each loop's head.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode, patternIdentifiers, type Binding, type Scope, type ScopeInfo } from './scopes.js';

type Live = ReadonlySet<Binding>;

export interface Liveness {
  /** Variables that may be read after the construct completes normally. */
  liveOut: Map<ESTree.Node, Live>;
  /** For loops: variables that may be read from the loop's head on, which includes the next iteration. */
  liveAtHead: Map<ESTree.Node, Live>;
}

interface Targets {
  breaks: Map<string | null, Live>;
  continues: Map<string | null, Live>;
}

const union = (...sets: Live[]): Live => {
  const out = new Set<Binding>();
  for (const set of sets) for (const item of set) out.add(item);
  return out;
};
const sameSet = (a: Live, b: Live) => a.size === b.size && [...a].every((item) => b.has(item));

/**
 * A backward dataflow over the structured statements of `fn`. Assignments kill only when they are
 * certain to happen (`x = ...;` as a statement, declarations); everything else is a may-use, so the
 * result errs toward live. Variables that closures read count as live everywhere, since a closure may
 * run at any later time.
 */
export function analyzeLiveness(fn: ESTree.Function, scopes: ScopeInfo): Liveness {
  const liveOut = new Map<ESTree.Node, Live>();
  const liveAtHead = new Map<ESTree.Node, Live>();
  const captured = new Set<Binding>();
  const usesCache = new Map<ESTree.Node, Live>();

  // Reads inside nested functions, of variables declared outside them.
  walk(fn.body as ESTree.Node, {
    enter(node) {
      if (!isFunctionNode(node)) return;
      const own = scopes.scopeOf.get(node);
      walk(node, {
        enter(inner) {
          if (inner.type !== 'Identifier') return;
          const reference = scopes.referenceOf.get(inner);
          if (!reference?.read || !reference.binding) return;
          let inside = false;
          for (let s: Scope | null = reference.binding.scope; s; s = s.parent) if (s === own) inside = true;
          if (!inside) captured.add(reference.binding);
        },
      });
      this.skip();
    },
  });

  const uses = (node: ESTree.Node | null | undefined): Live => {
    if (!node) return new Set();
    const cached = usesCache.get(node);
    if (cached) return cached;
    const out = new Set<Binding>();
    walk(node, {
      enter(inner) {
        if (inner.type !== 'Identifier') return;
        const reference = scopes.referenceOf.get(inner);
        if (reference?.read && reference.binding) out.add(reference.binding);
      },
    });
    usesCache.set(node, out);
    return out;
  };

  // Declaring identifiers are not references; map them to their bindings too.
  const declarations = new Map<ESTree.Identifier, Binding>();
  walk(fn as ESTree.Node, {
    enter(node) {
      const scope = scopes.scopeOf.get(node);
      if (scope) for (const binding of scope.bindings.values()) declarations.set(binding.id, binding);
    },
  });
  const bindingsOf = (pattern: ESTree.Pattern): Binding[] =>
    patternIdentifiers(pattern)
      .map((id) => scopes.referenceOf.get(id)?.binding ?? declarations.get(id) ?? null)
      .filter((binding): binding is Binding => binding !== null);

  const minus = (live: Live, killed: Binding[]): Set<Binding> => {
    const out = new Set(live);
    for (const binding of killed) if (!captured.has(binding)) out.delete(binding);
    return out;
  };

  const expression = (node: ESTree.Expression, out: Live): Live => {
    if (node.type === 'AssignmentExpression' && node.operator === '=' && node.left.type !== 'MemberExpression') {
      // Reads in the pattern (defaults, member targets) happen too; the assigned names die before.
      const patternReads = new Set(
        [...uses(node.left as ESTree.Node)].filter((b) => !bindingsOf(node.left).includes(b)),
      );
      return union(minus(out, bindingsOf(node.left)), uses(node.right), patternReads);
    }
    return union(out, uses(node));
  };

  const statements = (body: ESTree.Statement[], out: Live, targets: Targets): Live => {
    let live = out;
    for (let i = body.length - 1; i >= 0; i--) live = statement(body[i]!, live, targets);
    return live;
  };

  const loop = (
    node: ESTree.Node,
    label: string | null,
    out: Live,
    targets: Targets,
    iterate: (head: Live, inner: Targets) => Live,
  ): Live => {
    let head: Live = out;
    for (;;) {
      const inner: Targets = {
        breaks: new Map(targets.breaks).set(null, out),
        continues: new Map(targets.continues).set(null, head),
      };
      if (label !== null) {
        inner.breaks.set(label, out);
        inner.continues.set(label, head);
      }
      const next = union(out, iterate(head, inner));
      if (sameSet(next, head)) break;
      head = next;
    }
    liveOut.set(node, out);
    liveAtHead.set(node, union(head, captured));
    return head;
  };

  const statement = (node: ESTree.Statement, out: Live, targets: Targets, label: string | null = null): Live => {
    switch (node.type) {
      case 'ExpressionStatement':
        return expression(node.expression, out);
      case 'VariableDeclaration': {
        let live = out;
        for (let i = node.declarations.length - 1; i >= 0; i--) {
          const declarator = node.declarations[i]!;
          live = union(minus(live, bindingsOf(declarator.id)), uses(declarator.init));
        }
        return live;
      }
      case 'BlockStatement':
        return statements(node.body, out, targets);
      case 'IfStatement': {
        liveOut.set(node, union(out, captured));
        const consequent = statement(node.consequent, out, targets);
        const alternate = node.alternate ? statement(node.alternate, out, targets) : out;
        return union(uses(node.test), consequent, alternate);
      }
      case 'WhileStatement':
        return loop(node, label, out, targets, (head, inner) =>
          union(uses(node.test), statement(node.body, head, inner)),
        );
      case 'DoWhileStatement': {
        let bodyIn: Live = out;
        loop(node, label, out, targets, (head, inner) => {
          bodyIn = statement(node.body, union(uses(node.test), head), inner);
          return bodyIn;
        });
        return bodyIn;
      }
      case 'ForStatement': {
        const head = loop(node, label, out, targets, (head, inner) => {
          const afterBody = node.update ? expression(node.update, head) : head;
          inner.continues.set(null, afterBody);
          if (label !== null) inner.continues.set(label, afterBody);
          return union(uses(node.test), statement(node.body, afterBody, inner));
        });
        if (!node.init) return head;
        return node.init.type === 'VariableDeclaration'
          ? statement(node.init, head, targets)
          : expression(node.init, head);
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        const assigned =
          node.left.type === 'VariableDeclaration'
            ? node.left.declarations.flatMap((d) => bindingsOf(d.id))
            : bindingsOf(node.left);
        const head = loop(node, label, out, targets, (head, inner) =>
          minus(statement(node.body, head, inner), assigned),
        );
        return union(head, uses(node.right));
      }
      case 'LabeledStatement': {
        const inner: Targets = {
          breaks: new Map(targets.breaks).set(node.label.name, out),
          continues: targets.continues,
        };
        return statement(node.body, out, inner, node.label.name);
      }
      case 'BreakStatement':
        return targets.breaks.get(node.label?.name ?? null) ?? out;
      case 'ContinueStatement':
        return targets.continues.get(node.label?.name ?? null) ?? out;
      case 'ReturnStatement':
      case 'ThrowStatement':
        return union(uses(node.argument), captured);
      case 'SwitchStatement': {
        liveOut.set(node, union(out, captured));
        const inner: Targets = { breaks: new Map(targets.breaks).set(null, out), continues: targets.continues };
        if (label !== null) inner.breaks.set(label, out);
        let next: Live = out;
        let live: Live = node.cases.some((c) => c.test === null) ? new Set() : out;
        for (let i = node.cases.length - 1; i >= 0; i--) {
          const switchCase = node.cases[i]!;
          next = statements(switchCase.consequent, next, inner);
          live = union(live, next, uses(switchCase.test));
        }
        return union(live, uses(node.discriminant));
      }
      case 'TryStatement': {
        const afterFinally = node.finalizer ? statement(node.finalizer, out, targets) : out;
        const handler = node.handler ? statement(node.handler.body, afterFinally, targets) : new Set<Binding>();
        const block = statement(node.block, afterFinally, targets);
        // An exception may leave the block anywhere, so whatever the handler reads is live throughout.
        return union(block, handler, afterFinally);
      }
      case 'FunctionDeclaration':
      case 'EmptyStatement':
      case 'DebuggerStatement':
        return out;
      default:
        return union(out, uses(node));
    }
  };

  statement(fn.body.type === 'BlockStatement' ? fn.body : { type: 'ReturnStatement', argument: fn.body }, new Set(), {
    breaks: new Map(),
    continues: new Map(),
  });
  return { liveOut, liveAtHead };
}
