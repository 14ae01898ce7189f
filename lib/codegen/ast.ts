// Shared AST helpers: the node walker, the statement walker, and the small predicates and tables every pass uses.

import type * as ESTree from 'estree';

/**
 * The child keys of each node type, in evaluation order. A walk reads only these, instead of every key
 * of every node: conversion walks the tree many times, and that is most of its cost.
 */
const CHILD_KEYS: Record<string, readonly string[]> = {
  Program: ['body'],
  ExpressionStatement: ['expression'],
  BlockStatement: ['body'],
  StaticBlock: ['body'],
  EmptyStatement: [],
  DebuggerStatement: [],
  WithStatement: ['object', 'body'],
  ReturnStatement: ['argument'],
  LabeledStatement: ['label', 'body'],
  BreakStatement: ['label'],
  ContinueStatement: ['label'],
  IfStatement: ['test', 'consequent', 'alternate'],
  SwitchStatement: ['discriminant', 'cases'],
  SwitchCase: ['test', 'consequent'],
  ThrowStatement: ['argument'],
  TryStatement: ['block', 'handler', 'finalizer'],
  CatchClause: ['param', 'body'],
  WhileStatement: ['test', 'body'],
  DoWhileStatement: ['body', 'test'],
  ForStatement: ['init', 'test', 'update', 'body'],
  ForInStatement: ['left', 'right', 'body'],
  ForOfStatement: ['left', 'right', 'body'],
  FunctionDeclaration: ['id', 'params', 'body'],
  FunctionExpression: ['id', 'params', 'body'],
  ArrowFunctionExpression: ['params', 'body'],
  VariableDeclaration: ['declarations'],
  VariableDeclarator: ['id', 'init'],
  ClassDeclaration: ['id', 'superClass', 'body'],
  ClassExpression: ['id', 'superClass', 'body'],
  ClassBody: ['body'],
  MethodDefinition: ['key', 'value'],
  PropertyDefinition: ['key', 'value'],
  Identifier: [],
  PrivateIdentifier: [],
  Literal: [],
  ThisExpression: [],
  Super: [],
  TemplateElement: [],
  ArrayExpression: ['elements'],
  ObjectExpression: ['properties'],
  Property: ['key', 'value'],
  UnaryExpression: ['argument'],
  UpdateExpression: ['argument'],
  BinaryExpression: ['left', 'right'],
  LogicalExpression: ['left', 'right'],
  AssignmentExpression: ['left', 'right'],
  ConditionalExpression: ['test', 'consequent', 'alternate'],
  CallExpression: ['callee', 'arguments'],
  NewExpression: ['callee', 'arguments'],
  MemberExpression: ['object', 'property'],
  SequenceExpression: ['expressions'],
  YieldExpression: ['argument'],
  AwaitExpression: ['argument'],
  SpreadElement: ['argument'],
  RestElement: ['argument'],
  TemplateLiteral: ['quasis', 'expressions'],
  TaggedTemplateExpression: ['tag', 'quasi'],
  ChainExpression: ['expression'],
  ImportExpression: ['source', 'options'],
  MetaProperty: ['meta', 'property'],
  ObjectPattern: ['properties'],
  ArrayPattern: ['elements'],
  AssignmentPattern: ['left', 'right'],
  ParenthesizedExpression: ['expression'],
};

/** The runtime operator each compound assignment applies (`x += v` is `x = ag__.add(x, v)`). */
export const COMPOUND_OPERATORS: Partial<Record<ESTree.AssignmentOperator, string>> = {
  '+=': 'add',
  '-=': 'sub',
  '*=': 'mul',
  '/=': 'div',
  '%=': 'mod',
  '**=': 'pow',
  '&=': 'bitAnd',
  '|=': 'bitOr',
  '^=': 'bitXor',
  '<<=': 'shiftLeft',
  '>>=': 'shiftRight',
  '>>>=': 'shiftRightUnsigned',
};

const isNode = (value: unknown): value is ESTree.Node =>
  value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';

/** The same table as a Map: a walk looks a type up at every node, and a Map lookup is the cheapest. */
const CHILD_KEY_MAP = new Map<string, readonly string[]>(Object.entries(CHILD_KEYS));

/** The keys of `node` that may hold child nodes: from the table, or, for a type it lacks, every key. */
function childKeys(node: ESTree.Node): readonly string[] {
  return CHILD_KEY_MAP.get(node.type) ?? Object.keys(node).filter((key) => key !== 'loc');
}

/** What `enter` and `leave` may do with the node they are given. */
export interface WalkControl {
  /** Do not walk into the node's children (from `enter`). */
  skip(): void;
  /** Put `node` in the place of the current one; from `enter`, the walk goes on into the new node. */
  replace(node: ESTree.Node): void;
  /** Take the current node out of its parent. */
  remove(): void;
}

export type WalkHandler = (
  this: WalkControl,
  node: ESTree.Node,
  parent: ESTree.Node | null,
  key: string | null,
  index: number | null,
) => void;

/**
 * Walks `root` depth first, calling `enter` before a node's children and `leave` after them; the
 * handlers' `this` can skip, replace or remove the node (estree-walker's contract).
 */
export function walk<T extends ESTree.Node>(root: T, handlers: { enter?: WalkHandler; leave?: WalkHandler }): T {
  const { enter, leave } = handlers;
  let skipped = false;
  let removed = false;
  let replacement: ESTree.Node | null = null;
  const control: WalkControl = {
    skip: () => {
      skipped = true;
    },
    replace: (node) => {
      replacement = node;
    },
    remove: () => {
      removed = true;
    },
  };
  const put = (parent: ESTree.Node | null, key: string | null, index: number | null, node: ESTree.Node | null) => {
    if (!parent || key === null) return;
    const holder = parent as unknown as Record<string, unknown>;
    if (index === null) {
      if (node) holder[key] = node;
      else delete holder[key];
    } else if (node) {
      (holder[key] as unknown[])[index] = node;
    } else {
      (holder[key] as unknown[]).splice(index, 1);
    }
  };
  /** Calls `handler` on `node` and applies what it asked for; the node now in its place, or null if removed. */
  const call = (
    handler: WalkHandler,
    node: ESTree.Node,
    parent: ESTree.Node | null,
    key: string | null,
    index: number | null,
  ): ESTree.Node | null => {
    removed = false;
    replacement = null;
    handler.call(control, node, parent, key, index);
    const replaced = replacement as ESTree.Node | null;
    if (replaced) put(parent, key, index, replaced);
    if (removed) put(parent, key, index, null);
    return removed ? null : (replaced ?? node);
  };
  /** Returns the node now in this place, or null when it was removed. */
  const visit = (
    node: ESTree.Node,
    parent: ESTree.Node | null,
    key: string | null,
    index: number | null,
  ): ESTree.Node | null => {
    if (enter) {
      skipped = false;
      const after = call(enter, node, parent, key, index);
      if (!after) return null;
      node = after;
      if (skipped) return node;
    }
    const holder = node as unknown as Record<string, unknown>;
    const keys = childKeys(node);
    for (let k = 0; k < keys.length; k++) {
      const childKey = keys[k]!;
      const value = holder[childKey];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (isNode(item) && !visit(item, node, childKey, i)) i--;
        }
      } else if (isNode(value)) {
        visit(value, node, childKey, null);
      }
    }
    return leave ? call(leave, node, parent, key, index) : node;
  };
  return (visit(root, null, null, null) ?? root) as T;
}

/**
 * A deep copy of `node`: every node and array below it is new, while leaf data that passes never change
 * in place (`loc`, a literal's `regex`, a template element's `value`) is shared. Ten times faster than
 * structuredClone on a converted function.
 */
export function cloneNode<T extends ESTree.Node>(node: T): T {
  const copy: Record<string, unknown> = {};
  for (const key in node) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      copy[key] = value.map((item: unknown) => (isNode(item) ? cloneNode(item) : item));
    } else if (isNode(value)) {
      copy[key] = cloneNode(value);
    } else {
      copy[key] = value;
    }
  }
  return copy as T;
}

/**
 * What a pass may leave on a node for a later one, as AutoGraph's annotations: plain data that cloneNode
 * copies and astring ignores. `stopFlags`: the flags of lowered jumps that stop a for-of or for-in loop,
 * which has no test to extend; each back end adds the test its own way.
 */
interface Annotations {
  stopFlags?: string[];
  /** On the converted twin of a local function: the function's name (see lowering/local_functions.ts). */
  twinOf?: string;
  /** On the callee of a direct call of a local function that has a twin: the twin's name. */
  callsTwin?: string;
}

/** Marks `callee`, a name a call calls, as naming the local function whose twin is `twin`. */
export const markTwinCall = (callee: ESTree.Identifier, twin: string): void => {
  (callee as Annotations).callsTwin = twin;
};

/** The twin a call's callee names (see markTwinCall), if any. */
export const twinCalled = (callee: ESTree.Node): string | undefined => (callee as Annotations).callsTwin;

/** Marks `fn` as the converted twin of the local function `name`: every pass after it reads the mark. */
export const markTwin = (fn: ESTree.FunctionDeclaration, name: string): void => {
  (fn as Annotations).twinOf = name;
};

/** Whether `node` is a converted twin (see markTwin). */
export const isTwin = (node: ESTree.Node): boolean => (node as Annotations).twinOf !== undefined;

/** The twins in `fn`, outermost first: the passes that work on one function's statements run on each. */
export function twinsIn(fn: ESTree.Node): ESTree.FunctionDeclaration[] {
  const twins: ESTree.FunctionDeclaration[] = [];
  walk(fn, {
    enter(node) {
      if (node.type === 'FunctionDeclaration' && isTwin(node)) twins.push(node);
    },
  });
  return twins;
}

/** The flags that stop `loop` (see Annotations). */
export const stopFlagsOf = (loop: ESTree.Node): readonly string[] => (loop as Annotations).stopFlags ?? [];

export function addStopFlag(loop: ESTree.ForOfStatement | ESTree.ForInStatement, flag: string): void {
  (loop as Annotations).stopFlags = [...stopFlagsOf(loop), flag];
}

export type Loop =
  ESTree.WhileStatement | ESTree.DoWhileStatement | ESTree.ForStatement | ESTree.ForInStatement | ESTree.ForOfStatement;

export const isLoop = (node: ESTree.Node): node is Loop =>
  node.type === 'WhileStatement' ||
  node.type === 'DoWhileStatement' ||
  node.type === 'ForStatement' ||
  node.type === 'ForInStatement' ||
  node.type === 'ForOfStatement';

/** A statement as a list: a block's statements, or the statement alone. */
export const asList = (statement: ESTree.Statement | null | undefined): ESTree.Statement[] =>
  !statement ? [] : statement.type === 'BlockStatement' ? statement.body : [statement];

/** A list as one statement: the statement alone, or a block. */
export const single = (list: ESTree.Statement[]): ESTree.Statement =>
  list.length === 1 ? list[0]! : { type: 'BlockStatement', body: list };

/**
 * The statement walker: replaces each statement list directly inside `statement` by `visit(list)`. Those
 * are a block's statements, an if's branches, a loop's or labeled statement's body, a try's block, handler
 * and finalizer, and a switch's cases. A branch or body that is a single statement is visited as a list
 * of one and comes back as one statement or a block; a block stays a block. Expressions, and so nested
 * functions, are not entered. Every pass that recurses into statements does it through this walker.
 */
export function mapChildStatements(
  statement: ESTree.Statement,
  visit: (list: ESTree.Statement[]) => ESTree.Statement[],
): void {
  const mapBody = (child: ESTree.Statement): ESTree.Statement => {
    if (child.type !== 'BlockStatement') return single(visit([child]));
    child.body = visit(child.body);
    return child;
  };
  switch (statement.type) {
    case 'BlockStatement':
    case 'StaticBlock':
      statement.body = visit(statement.body as ESTree.Statement[]) as never;
      break;
    case 'IfStatement':
      statement.consequent = mapBody(statement.consequent);
      if (statement.alternate) statement.alternate = mapBody(statement.alternate);
      break;
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'LabeledStatement':
      statement.body = mapBody(statement.body);
      break;
    case 'TryStatement':
      statement.block.body = visit(statement.block.body);
      if (statement.handler) statement.handler.body.body = visit(statement.handler.body.body);
      if (statement.finalizer) statement.finalizer.body = visit(statement.finalizer.body);
      break;
    case 'SwitchStatement':
      for (const switchCase of statement.cases) switchCase.consequent = visit(switchCase.consequent);
      break;
    default:
      break;
  }
}

/** The statements directly inside `statement`, as the statement walker visits them (read only). */
export function childStatements(statement: ESTree.Statement): ESTree.Statement[] {
  const children: ESTree.Statement[] = [];
  mapChildStatements(statement, (list) => {
    children.push(...list);
    return list;
  });
  return children;
}
