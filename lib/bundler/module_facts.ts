// What a build step reads off one module: its imports, its module-level functions, and which of them it exports.

import { readFileSync, statSync } from 'node:fs';
import { parseModule } from 'meriyah';

/** A node of the module's tree, read loosely: meriyah's ESTree with ranges and locations. */
export interface Node {
  type: string;
  start: number;
  end: number;
  loc: { start: { line: number; column: number }; end: { line: number; column: number } };
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- trees are read by shape.
}

export interface Comment {
  value: string;
  start: number;
  end: number;
}

export interface ParsedModule {
  program: Node;
  comments: Comment[];
}

/** Parses module code, decorators included; throws the parser's error (with its line) when it cannot. */
export function parseModuleCode(code: string): ParsedModule {
  const comments: Comment[] = [];
  const program = parseModule(code, {
    next: true,
    ranges: true,
    loc: true,
    onComment: (_type, value, start, end) => comments.push({ value, start, end }),
  }) as unknown as Node;
  return { program, comments };
}

export interface ImportBinding {
  source: string;
  /** The name exported by the source module, 'default', or '*' for a namespace import. */
  imported: string;
}

/** The export through which a module hands the conversion of its export `name` to importers. */
export const conversionExportOf = (name: string): string => `${name}$autograph`;

/** A function bound at the module's top level: `function f() {}` or `const f = (...) => ...`. */
export interface ModuleFunction {
  local: string;
  /** The FunctionDeclaration, FunctionExpression or ArrowFunctionExpression. */
  node: Node;
  declaration: boolean;
}

export interface ModuleFacts {
  imports: Map<string, ImportBinding>;
  functions: Map<string, ModuleFunction>;
  /** Exported name to local name, for exported module-level functions. */
  exportedFunctions: Map<string, string>;
  /** Every name declared at the top level (imports, functions, classes, variables). */
  topLevel: Set<string>;
  /** Top-level `const`s that hold what toGraph or convert(...)(fn) returned: converted already. */
  graphs: Set<string>;
  /** Exported names of those. */
  exportedGraphs: Set<string>;
  /** Names exported from another module: `export { f as g } from './b.js'`, or an import exported again. */
  reexports: Map<string, ImportBinding>;
  /** The modules `export * from` names. */
  exportsAll: string[];
}

/** Whether `node` calls the package's toGraph, or what its convert(...) returns. */
function callsPackage(node: Node | null | undefined, imports: Map<string, ImportBinding>): boolean {
  if (!node || node.type !== 'CallExpression') return false;
  const fromPackage = (callee: Node, name: string) => {
    if (callee.type === 'Identifier') {
      const binding = imports.get(callee.name);
      return binding?.source === 'tfjs-autograph' && binding.imported === name;
    }
    if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false;
    const binding = imports.get(callee.object.name);
    return (
      binding?.source === 'tfjs-autograph' &&
      (binding.imported === '*' || binding.imported === 'autograph') &&
      callee.property.name === name
    );
  };
  const callee = node.callee as Node;
  return fromPackage(callee, 'toGraph') || (callee.type === 'CallExpression' && fromPackage(callee.callee, 'convert'));
}

const isFunctionNode = (node: Node | null | undefined): node is Node =>
  !!node && (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') && !node.generator;

export function factsOf(program: Node): ModuleFacts {
  const imports = new Map<string, ImportBinding>();
  const functions = new Map<string, ModuleFunction>();
  const exportedFunctions = new Map<string, string>();
  const topLevel = new Set<string>();
  const graphs = new Set<string>();
  const reexports = new Map<string, ImportBinding>();
  const exportsAll: string[] = [];
  const exportedLocals: [string, string][] = [];
  const declare = (statement: Node | null | undefined, exported: boolean) => {
    if (!statement) return;
    if (statement.type === 'FunctionDeclaration' && statement.id) {
      topLevel.add(statement.id.name);
      if (!statement.generator)
        functions.set(statement.id.name, { local: statement.id.name, node: statement, declaration: true });
      if (exported) exportedLocals.push([statement.id.name, statement.id.name]);
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      topLevel.add(statement.id.name);
    } else if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations as Node[]) {
        for (const name of patternNames(declarator.id)) topLevel.add(name);
        if (declarator.id.type !== 'Identifier') continue;
        const name = declarator.id.name as string;
        if (statement.kind === 'const' && isFunctionNode(declarator.init)) {
          functions.set(name, { local: name, node: declarator.init, declaration: false });
        }
        if (statement.kind === 'const' && callsPackage(declarator.init, imports)) graphs.add(name);
        if (exported) exportedLocals.push([name, name]);
      }
    }
  };
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ImportDeclaration') {
      for (const specifier of statement.specifiers as Node[]) {
        const imported =
          specifier.type === 'ImportNamespaceSpecifier'
            ? '*'
            : specifier.type === 'ImportDefaultSpecifier'
              ? 'default'
              : (specifier.imported.name ?? specifier.imported.value);
        imports.set(specifier.local.name, { source: statement.source.value, imported });
        topLevel.add(specifier.local.name);
      }
    } else if (statement.type === 'ExportNamedDeclaration') {
      declare(statement.declaration, true);
      for (const specifier of statement.specifiers as Node[]) {
        const exported = specifier.exported.name ?? specifier.exported.value;
        const local = specifier.local.name ?? specifier.local.value;
        if (statement.source) reexports.set(exported, { source: statement.source.value, imported: local });
        else exportedLocals.push([exported, local]);
      }
    } else if (statement.type === 'ExportAllDeclaration') {
      if (!statement.exported) exportsAll.push(statement.source.value);
    } else if (statement.type === 'ExportDefaultDeclaration') {
      const declaration = statement.declaration as Node;
      if (declaration.type === 'FunctionDeclaration' && declaration.id) {
        declare(declaration, false);
        exportedLocals.push(['default', declaration.id.name]);
      }
    } else {
      declare(statement, false);
    }
  }
  const exportedGraphs = new Set<string>();
  for (const [exported, local] of exportedLocals) {
    // A conversion is exported under a plain name only, and one the module leaves free.
    const plain = /^[A-Za-z_$][\w$]*$/.test(exported) && !topLevel.has(conversionExportOf(exported));
    if (functions.has(local) && plain) exportedFunctions.set(exported, local);
    if (graphs.has(local)) exportedGraphs.add(exported);
    // `import { f } from './b.js'; export { f };`: f is b's.
    const binding = imports.get(local);
    if (binding && binding.imported !== '*') reexports.set(exported, binding);
  }
  return { imports, functions, exportedFunctions, topLevel, graphs, exportedGraphs, reexports, exportsAll };
}

/** The names a binding pattern declares. */
export function patternNames(pattern: Node | null | undefined): string[] {
  if (!pattern) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return (pattern.properties as Node[]).flatMap((p) => patternNames(p.type === 'RestElement' ? p : p.value));
    case 'ArrayPattern':
      return (pattern.elements as (Node | null)[]).flatMap(patternNames);
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

/** What an importer needs to know of a module's exports: which are functions, which are converted graphs. */
export interface ModuleExports {
  functions: Set<string>;
  graphs: Set<string>;
  reexports: Map<string, ImportBinding>;
  exportsAll: string[];
}

/** TypeScript modules, which are read with their types stripped. */
export const TYPESCRIPT = /\.(ts|mts|cts)$/;

/** TypeScript to JavaScript, position for position; `unsupported` is told of syntax it cannot strip (enum). */
export type TypeStripper = (code: string, unsupported: (what: string) => void) => string;

const NO_EXPORTS: ModuleExports = { functions: new Set(), graphs: new Set(), reexports: new Map(), exportsAll: [] };

/** The exports of the module in `file`, read from disk; cached while the file is unchanged. */
const exportsCache = new Map<string, { mtime: number; exports: ModuleExports }>();

export function exportsOf(file: string, stripTypes?: TypeStripper): ModuleExports {
  let mtime: number;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return NO_EXPORTS;
  }
  const cached = exportsCache.get(file);
  if (cached && cached.mtime === mtime) return cached.exports;
  let exports = NO_EXPORTS;
  try {
    const code = readFileSync(file, 'utf8');
    // A TypeScript module is read with its types stripped; without the stripper, it exports nothing converted.
    const typescript = TYPESCRIPT.test(file);
    if (typescript && !stripTypes) throw new Error('no type stripper');
    const facts = factsOf(parseModuleCode(typescript ? stripTypes!(code, () => undefined) : code).program);
    exports = {
      functions: new Set(facts.exportedFunctions.keys()),
      graphs: facts.exportedGraphs,
      reexports: facts.reexports,
      exportsAll: facts.exportsAll,
    };
  } catch {
    // A module the parser cannot read exports nothing converted; its callees convert at run time.
  }
  exportsCache.set(file, { mtime, exports });
  return exports;
}

/** Where an imported name comes from in the end, through re-exports: a function or a graph of a module. */
export interface ExportOrigin {
  kind: 'function' | 'graph';
  file: string;
  name: string;
}

/**
 * The module that defines what `file` exports as `name`, following `export { f } from` and `export *`
 * through the modules `resolve` finds (relative imports of modules the plugin converts); undefined when
 * it is not a function or graph such a module defines.
 */
export function originOf(
  file: string,
  name: string,
  resolve: (from: string, specifier: string) => string | undefined,
  stripTypes?: TypeStripper,
  seen = new Set<string>(),
): ExportOrigin | undefined {
  const key = `${file}\0${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const exports = exportsOf(file, stripTypes);
  if (exports.functions.has(name)) return { kind: 'function', file, name };
  if (exports.graphs.has(name)) return { kind: 'graph', file, name };
  const reexport = exports.reexports.get(name);
  if (reexport) {
    const next = reexport.imported === '*' ? undefined : resolve(file, reexport.source);
    return next ? originOf(next, reexport.imported, resolve, stripTypes, seen) : undefined;
  }
  if (name === 'default') return undefined;
  for (const source of exports.exportsAll) {
    const next = resolve(file, source);
    const found = next ? originOf(next, name, resolve, stripTypes, seen) : undefined;
    if (found) return found;
  }
  return undefined;
}
