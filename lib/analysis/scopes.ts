// Scope analysis: declarations per scope, what each identifier refers to, and the function's free variables.

import { walk } from '../codegen/ast.js';
import type * as ESTree from 'estree';

export type BindingKind = 'param' | 'var' | 'let' | 'const' | 'function' | 'class' | 'catch' | 'self';

/** One declared name. Analyses key their facts on bindings, not on names, so shadowing is handled once here. */
export interface Binding {
  name: string;
  kind: BindingKind;
  scope: Scope;
  /** The identifier that declares it. */
  id: ESTree.Identifier;
  /** Whether its declaration gives it a value (`let x = 1`, a parameter, a function), unlike `let x;`. */
  initialized: boolean;
}

export class Scope {
  readonly bindings = new Map<string, Binding>();
  constructor(
    readonly node: ESTree.Node,
    readonly parent: Scope | null,
    /** Function scopes receive `var` declarations. */
    readonly isFunction: boolean,
  ) {}

  declare(name: string, kind: BindingKind, id: ESTree.Identifier, initialized = true): void {
    if (!this.bindings.has(name)) this.bindings.set(name, { name, kind, scope: this, id, initialized });
  }

  lookup(name: string): Binding | null {
    return this.bindings.get(name) ?? this.parent?.lookup(name) ?? null;
  }

  get functionScope(): Scope {
    return this.isFunction || !this.parent ? this : this.parent.functionScope;
  }
}

/** A use of a name: read, written, or both (`x += 1`). */
export interface Reference {
  id: ESTree.Identifier;
  binding: Binding | null;
  read: boolean;
  write: boolean;
  /** The innermost scope the reference sits in. */
  scope: Scope;
}

export interface ScopeInfo {
  root: Scope;
  /** The scope each scope-creating node opens. */
  scopeOf: Map<ESTree.Node, Scope>;
  references: Reference[];
  referenceOf: Map<ESTree.Identifier, Reference>;
  /** Names used but declared nowhere in the function, with their first use. */
  free: Map<string, ESTree.Identifier>;
  /** Every `this` that refers to the converted function's own receiver (not a nested function's). */
  thisExpressions: ESTree.ThisExpression[];
}

type AnyFunction = ESTree.FunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression;

export function isFunctionNode(node: ESTree.Node): node is AnyFunction {
  return (
    node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
  );
}

/** The identifiers a declaration or assignment pattern binds or assigns, left to right. */
export function patternIdentifiers(pattern: ESTree.Pattern, out: ESTree.Identifier[] = []): ESTree.Identifier[] {
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        patternIdentifiers(property.type === 'RestElement' ? property.argument : property.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) patternIdentifiers(element, out);
      break;
    case 'RestElement':
      patternIdentifiers(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      patternIdentifiers(pattern.left, out);
      break;
    case 'MemberExpression':
      break;
  }
  return out;
}

function opensScope(node: ESTree.Node, parent: ESTree.Node | null): boolean {
  switch (node.type) {
    case 'BlockStatement':
      return !(parent && isFunctionNode(parent) && parent.body === node);
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'CatchClause':
    case 'SwitchStatement':
    case 'StaticBlock':
    case 'ClassDeclaration':
    case 'ClassExpression':
      return true;
    default:
      return isFunctionNode(node);
  }
}

/** Whether an identifier, seen as `parent[key]`, is a use of a name (not a property key or a label). */
function isNameUse(parent: ESTree.Node | null, key: string | number | symbol | null | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'object' || parent.computed;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return key !== 'key' || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'MetaProperty':
      return false;
    default:
      return true;
  }
}

/**
 * Analyses the scopes of `fn`. Annotates nothing in the tree; results live in side tables. They are Maps,
 * not WeakMaps: an analysis is dropped with its conversion step, and weak tables of thousands of nodes
 * cost the garbage collector more than the whole analysis.
 */
export function analyzeScopes(fn: AnyFunction): ScopeInfo {
  const scopeOf = new Map<ESTree.Node, Scope>();
  const declaring = new Set<ESTree.Identifier>();
  const written = new Map<ESTree.Identifier, 'write' | 'readwrite'>();
  let current: Scope | null = null;

  const declarePattern = (pattern: ESTree.Pattern, scope: Scope, kind: BindingKind, initialized = true) => {
    for (const id of patternIdentifiers(pattern)) {
      scope.declare(id.name, kind, id, initialized);
      declaring.add(id);
    }
  };
  const markWrites = (pattern: ESTree.Pattern, mode: 'write' | 'readwrite') => {
    for (const id of patternIdentifiers(pattern)) written.set(id, mode);
  };

  // Pass 1: scopes and declarations (hoisting means uses may precede declarations, so resolution waits).
  walk(fn as ESTree.Node, {
    enter(node, parent) {
      if (node.type === 'FunctionDeclaration' && node.id && current) {
        current.declare(node.id.name, 'function', node.id);
        declaring.add(node.id);
      }
      if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.id) {
        if (node.type === 'ClassDeclaration' && current) current.declare(node.id.name, 'class', node.id);
        declaring.add(node.id);
      }
      if (opensScope(node, parent)) {
        current = new Scope(node, current, isFunctionNode(node));
        scopeOf.set(node, current);
        if (isFunctionNode(node)) {
          if (node.type === 'FunctionExpression' && node.id) {
            current.declare(node.id.name, 'self', node.id);
            declaring.add(node.id);
          }
          for (const param of node.params) declarePattern(param, current, 'param');
        }
        if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.id) {
          current.declare(node.id.name, 'class', node.id);
        }
        if (node.type === 'CatchClause' && node.param) declarePattern(node.param, current, 'catch');
      }
      if (node.type === 'VariableDeclaration' && current) {
        const target = node.kind === 'var' ? current.functionScope : current;
        // The head of a for-in or for-of assigns its variable on every iteration.
        const loopHead =
          (parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && parent.left === node;
        for (const declarator of node.declarations) {
          declarePattern(declarator.id, target, node.kind as BindingKind, loopHead || declarator.init != null);
        }
      }
      if (node.type === 'AssignmentExpression') {
        markWrites(node.left, node.operator === '=' ? 'write' : 'readwrite');
      } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier') {
        written.set(node.argument, 'readwrite');
      } else if (node.type === 'UpdateExpression') {
        markWrites(node.argument as ESTree.Pattern, 'readwrite');
      } else if (
        (node.type === 'ForInStatement' || node.type === 'ForOfStatement') &&
        node.left.type !== 'VariableDeclaration'
      ) {
        markWrites(node.left, 'write');
      }
    },
    leave(node) {
      if (current && scopeOf.get(node) === current) current = current.parent;
    },
  });

  const root = scopeOf.get(fn as ESTree.Node)!;
  const references: Reference[] = [];
  const referenceOf = new Map<ESTree.Identifier, Reference>();
  const free = new Map<string, ESTree.Identifier>();
  const thisExpressions: ESTree.ThisExpression[] = [];
  // `this` belongs to the converted function when no nested regular function encloses it.
  const ownThisDepth = fn.type === 'ArrowFunctionExpression' ? 0 : 1;
  let regularDepth = 0;

  // Function scopes whose parameters are being resolved: a default value there does not see the names
  // the body declares (JavaScript gives parameters a scope of their own when they have expressions).
  const inParams = new Set<Scope>();
  const lookup = (scope: Scope, name: string): Binding | null => {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const binding = s.bindings.get(name);
      if (binding && (!inParams.has(s) || binding.kind === 'param' || binding.kind === 'self')) return binding;
    }
    return null;
  };

  // Pass 2: resolve every use of a name.
  current = null;
  walk(fn as ESTree.Node, {
    enter(node, parent, key) {
      if (parent && isFunctionNode(parent) && key === 'params') inParams.add(scopeOf.get(parent)!);
      const opened = scopeOf.get(node);
      if (opened) current = opened;
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') regularDepth++;
      if (node.type === 'ThisExpression' && regularDepth <= ownThisDepth) thisExpressions.push(node);
      if (node.type !== 'Identifier' || declaring.has(node) || !isNameUse(parent, key) || !current) return;
      const binding = lookup(current, node.name);
      const mode = written.get(node);
      const reference: Reference = {
        id: node,
        binding,
        read: mode !== 'write',
        write: mode !== undefined,
        scope: current,
      };
      references.push(reference);
      referenceOf.set(node, reference);
      if (!binding && !free.has(node.name)) free.set(node.name, node);
    },
    leave(node, parent, key) {
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') regularDepth--;
      if (current && scopeOf.get(node) === current) current = current.parent;
      if (parent && isFunctionNode(parent) && key === 'params') inParams.delete(scopeOf.get(parent)!);
    },
  });

  return { root, scopeOf, references, referenceOf, free, thisExpressions };
}
