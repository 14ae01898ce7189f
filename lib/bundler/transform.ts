// The build-time conversion of one module: marked functions and their visible callees get their converted code in place.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import MagicString, { type SourceMap } from 'magic-string';
import { generate } from '../codegen/generate.js';
import { Namer } from '../codegen/namer.js';
import { ConversionError } from '../errors.js';
import { buildFunction, type BuiltFunction } from './build_function.js';
import {
  originOf,
  conversionExportOf,
  factsOf,
  parseModuleCode,
  TYPESCRIPT,
  type Comment,
  type ModuleFacts,
  type Node,
  type TypeStripper,
} from './module_facts.js';

export interface TransformOptions {
  /** The project's root: error messages name files relative to it. */
  root: string;
  /** No run-time conversion: callees the build cannot see run as they are, with a warning here. */
  csp: boolean;
  /**
   * Turns TypeScript into JavaScript with every character in its place (types become spaces), for
   * TypeScript modules; undefined when no such tool is installed (ts-blank-space).
   */
  stripTypes?: TypeStripper;
  /**
   * Whether the plugin converts the module in `file` as well (by default, yes): a callee imported from one
   * it does not has no conversion to import.
   */
  processes?: (file: string) => boolean;
  /**
   * What the bundler resolves this module's other imports to (a package's `imports` field, an alias):
   * by specifier, the files of those it resolved.
   */
  resolved?: ReadonlyMap<string, string>;
}

export type { TypeStripper };

export interface TransformOutput {
  code: string;
  map: SourceMap;
  /** Messages for the build's log: what could not be converted, and why. */
  warnings: string[];
}

/** The package whose functions mark what to convert, and the entry converted code imports its helpers from. */
const PACKAGE = 'tfjs-autograph';
const BUILT_ENTRY = 'tfjs-autograph/built';

/** How a function to convert sits in the module, which decides how its registration is written. */
type Site =
  | { kind: 'expression'; node: Node; name: string }
  | { kind: 'declaration'; node: Node; name: string }
  /** A class method: decorated with @convert(), or called on `this` by one that is converted. */
  | { kind: 'method'; node: Node; name: string; method: Node; classBody: Node; decorator?: Node };

interface Planned {
  site: Site;
  /** The local names of the imported conversions of the callees it calls from other modules. */
  calleePairs: string[];
  /** Needed where the module runs (marked, or called by a converted function), not only for importers. */
  needed: boolean;
  /** Whether what cannot be converted is worth a warning: marked, or reached from a marked function. */
  report: boolean;
  built?: BuiltFunction;
}

/** Whether the module may mark anything or export a function: the rest pass through untouched. */
export const mayConvert = (code: string): boolean => /\bexport\b|@autograph|tfjs-autograph/.test(code);

/**
 * Converts the functions `code` marks (toGraph(fn), @convert() methods, functions after a `/* @autograph *\/`
 * comment), the module-level functions they call, and the module's exported functions (for importers that
 * call them from converted code). Undefined when there is nothing to do.
 */
export function transformModule(code: string, id: string, options: TransformOptions): TransformOutput | undefined {
  const file = path.relative(options.root, id).split(path.sep).join('/');
  /** The module as it is, with what the build has to say about it (nothing: undefined). */
  const asItIs = (warnings: string[]): TransformOutput | undefined =>
    warnings.length
      ? { code, map: new MagicString(code).generateMap({ hires: true, source: id, includeContent: true }), warnings }
      : undefined;
  const unchanged = (warning: string): TransformOutput | undefined =>
    code.includes(PACKAGE) || code.includes('@autograph')
      ? asItIs([`${file}: not converted at build time, since ${warning}`])
      : undefined;
  const lateConversion = 'Its functions convert when they are first called, which needs `new Function`.';
  // What is read: the module as JavaScript, every character where it is in `code` (types blanked out).
  let script = code;
  if (TYPESCRIPT.test(id)) {
    if (!options.stripTypes) {
      return unchanged(
        'reading TypeScript needs ts-blank-space, which is not installed (npm install --save-dev ' +
          `ts-blank-space). ${lateConversion}`,
      );
    }
    let unsupported: string | undefined;
    script = options.stripTypes(code, (what) => (unsupported ??= what));
    if (unsupported !== undefined) {
      return unchanged(
        `it uses TypeScript syntax that has no JavaScript of its own (${unsupported}: an enum, a namespace ` +
          `or a parameter property), which only a compiler turns into code. ${lateConversion}`,
      );
    }
  }
  let parsedModule;
  try {
    parsedModule = parseModuleCode(script);
  } catch (error) {
    return unchanged(`it could not be parsed (${(error as Error).message}). ${lateConversion}`);
  }
  const { program, comments } = parsedModule;
  const isModule = (program.body as Node[]).some((statement) => /^(Import|Export)/.test(statement.type));
  if (!isModule && /\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w/.test(script)) {
    return unchanged(`it is a CommonJS module, into which an import cannot go. ${lateConversion}`);
  }
  const facts = factsOf(program);
  const { sites: allMarks, problems } = findMarks(script, program, comments, facts);
  // A mark inside another marked function is in that function's converted code too, as a copy the
  // bundle makes anew on each call: registering the original would not reach it.
  // One function may be marked twice (a comment, and toGraph of its name): it is one site.
  const unique = allMarks.filter((site, k) => allMarks.findIndex((other) => other.node === site.node) === k);
  const marks = unique.filter((site) => {
    const outer = unique.find(
      (other) => other.node !== site.node && other.node.start <= site.node.start && site.node.end <= other.node.end,
    );
    if (outer) {
      problems.push(
        `${site.name} (line ${lineAndColumn(code, site.node.start).line}) is marked inside ${outer.name}, which is ` +
          'converted as a whole: move it out of the function to convert it at build time.',
      );
    }
    return !outer;
  });
  const warnings = problems.map((problem) => `${file}: ${problem}`);
  const plans = new Map<Node, Planned>();
  const plan = (site: Site, needed: boolean, report: boolean) => {
    const existing = plans.get(site.node);
    if (existing) {
      existing.needed ||= needed;
      existing.report ||= report;
    } else {
      plans.set(site.node, { site, needed, report, calleePairs: [] });
    }
  };
  for (const site of marks) plan(site, true, true);
  if (marks.length === 0 && facts.exportedFunctions.size === 0) {
    return asItIs(warnings);
  }

  const used = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(collect);
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    if (node.type === 'Identifier') used.add(node.name);
    for (const [key, child] of Object.entries(node)) if (key !== 'loc' && key !== 'range') collect(child);
  };
  collect(program);
  const namer = new Namer(used);
  const register = namer.fresh('ag$register');
  const registerMethod = namer.fresh('ag$registerMethod');
  const registerExported = namer.fresh('ag$registerExported');
  const calleeImports = new Map<string, { source: string; imported: string; local: string }>();
  /** The file a relative import names, when the plugin converts that file too. */
  const resolve = (from: string, specifier: string) => {
    const resolved = (from === id ? options.resolved?.get(specifier) : undefined) ?? resolveRelative(from, specifier);
    return resolved && (options.processes?.(resolved) ?? true) ? resolved : undefined;
  };
  const defaults = new Set<string>();

  // Converts what is planned; calls from converted functions plan the module's functions they reach.
  // Marks first, with what they reach (whose problems are worth a warning); then the exported functions
  // only importers may need, so that a function reached from a mark is never first seen as one of those.
  const queue = [...plans.values()];
  const exportsPhase = () => {
    for (const local of facts.exportedFunctions.values()) {
      const fn = facts.functions.get(local)!;
      if (plans.has(fn.node)) continue;
      plan(siteOf(fn.node, fn.declaration, local), false, false);
      queue.push(plans.get(fn.node)!);
    }
  };
  let exportsPlanned = false;
  for (let planned = queue.shift(); planned || !exportsPlanned; planned = queue.shift()) {
    if (!planned) {
      exportsPlanned = true;
      exportsPhase();
      continue;
    }
    const { site } = planned;
    const source = sourceText(script, site);
    const start = site.kind === 'method' ? methodTextStart(code, site.method) : site.node.start;
    const position = lineAndColumn(code, start);
    try {
      // Converted from the JavaScript; code frames show the function as written.
      const written = script === code ? source : sourceText(code, site);
      planned.built = buildFunction(source, site.name, { file, ...position }, options.csp, written);
    } catch (error) {
      // A function only importers may need is not worth failing the build over, whatever went wrong.
      if (!(error instanceof ConversionError) && planned.report) throw error;
      if (planned.report) {
        const marked = marks.some((mark) => mark.node === site.node);
        warnings.push(
          `${file}:${position.line}: ${site.name} is not converted at build time: ${(error as ConversionError).problem} ` +
            (marked
              ? 'Converting it at run time fails the same way: toGraph throws this ConversionError when the module runs.'
              : 'Called from converted code, it runs as it is.'),
        );
      }
      continue;
    }
    for (const name of planned.built.free.keys()) {
      if ((name === 'tf' || name === 'autograph') && !facts.topLevel.has(name)) defaults.add(name);
    }
    if (site.kind === 'method') {
      // `this.update(x)` in a converted method: the class's own method of that name is visible here.
      for (const name of planned.built.calledMethods) {
        const method = (site.classBody.body as Node[]).find(
          (m) =>
            m.type === 'MethodDefinition' &&
            m.kind === 'method' &&
            !m.computed &&
            m.key.type === 'Identifier' &&
            m.key.name === name &&
            m.static === site.method.static &&
            !m.value.generator,
        );
        if (!method || plans.has(method.value)) continue;
        const callee: Site = { kind: 'method', node: method.value, name, method, classBody: site.classBody };
        plan(callee, true, planned.report);
        queue.push(plans.get(method.value)!);
      }
    }
    for (const name of planned.built.called) {
      const local = facts.functions.get(name);
      if (local) {
        const before = plans.get(local.node);
        // Called from converted code: registered where it is, whether or not an importer uses the caller.
        plan(siteOf(local.node, local.declaration, name), true, planned.report);
        const after = plans.get(local.node)!;
        if (!before) queue.push(after);
        else if (!after.built && !queue.includes(after)) queue.push(after);
        continue;
      }
      const imported = facts.imports.get(name);
      const where = `${site.name} (${file}:${position.line})`;
      if (imported) {
        if (imported.source.startsWith('@tensorflow/') || imported.source === PACKAGE || imported.imported === '*') {
          continue;
        }
        const target = resolve(id, imported.source);
        // Through re-exports to the module that defines it, whose conversion is imported from there.
        const origin = target ? originOf(target, imported.imported, resolve, options.stripTypes) : undefined;
        if (origin?.kind === 'graph') continue;
        if (origin) {
          const source = origin.file === target ? imported.source : relativeSpecifier(id, origin.file);
          const key = `${origin.file}\0${origin.name}`;
          if (!calleeImports.has(key)) {
            calleeImports.set(key, { source, imported: origin.name, local: namer.fresh(`ag$${origin.name}`) });
          }
          planned.calleePairs.push(calleeImports.get(key)!.local);
        } else if (options.csp && planned.report) {
          warnings.push(
            `${file}: ${name}, called from ${where}, is not converted at build time: it comes from ` +
              `'${imported.source}', ${target ? 'which does not export it as a function' : 'which the build does not convert'}. ` +
              'It runs as it is (csp: true), so control flow on tensors inside it is not staged.',
          );
        }
      } else if (options.csp && planned.report && facts.topLevel.has(name) && !facts.graphs.has(name)) {
        warnings.push(
          `${file}: ${name}, called from ${where}, is not converted at build time: it is not a function ` +
            'declaration or a `const` function. It runs as it is (csp: true).',
        );
      }
      // Other names are globals (fetch, a script tag's function): not the build's to see, and not warned about.
    }
  }

  const s = new MagicString(code);
  const dataCode = (planned: Planned) => generate(planned.built!.data).code;
  /** Statements that go first, after the imports the header adds: registrations of declarations. */
  const first: string[] = [];
  const tail: string[] = [];
  let methods = false;
  const exportedLocal = new Map<string, string[]>();
  for (const [exported, local] of facts.exportedFunctions) {
    exportedLocal.set(local, [...(exportedLocal.get(local) ?? []), exported]);
  }
  for (const planned of plans.values()) {
    const { site, built } = planned;
    const local = localNameOf(site, facts);
    const exports = site.kind === 'method' ? [] : (exportedLocal.get(local) ?? []);
    // For importers, whose converted code may call it: the function and its conversion, a plain array,
    // which the importer registers; one no importer imports is dropped by tree shaking. Importers import
    // it whatever happened here, so a failed conversion exports undefined.
    // Its own callees' pairs come third: an importer registers them with it.
    const callees = planned.calleePairs.length ? `, [${planned.calleePairs.join(', ')}]` : '';
    const pair = !built ? 'undefined' : planned.needed ? `[${local}]` : `[${local}, ${dataCode(planned)}${callees}]`;
    exports.forEach((exported, k) =>
      tail.push(`export const ${exportName(exported)} = ${k === 0 ? pair : exportName(exports[0]!)};`),
    );
    if (!built || !planned.needed) continue;
    if (site.kind === 'expression') {
      s.appendLeft(site.node.start, `${register}(`);
      s.appendRight(site.node.end, `, ${dataCode(planned)})`);
    } else if (site.kind === 'declaration') {
      // Declarations are hoisted: registered before any code of the module runs.
      first.push(`${register}(${site.name}, ${dataCode(planned)});`);
    } else {
      methods = true;
      const { method, classBody, decorator } = site;
      // The decorator is applied from the class's static block, after the registration.
      let decorate = 'undefined';
      if (decorator) {
        let end = decorator.end;
        while (/\s/.test(code[end] ?? '')) end++;
        s.remove(decorator.start, end);
        decorate = code.slice(decorator.expression.start, decorator.expression.end);
      }
      const key = JSON.stringify(site.name);
      s.appendLeft(
        classBody.end - 1,
        ` static { ${registerMethod}(this, ${key}, ${method.static === true}, ${decorate}, ${dataCode(planned)}); }`,
      );
    }
  }
  // Conversions of the imported callees of what runs here, registered as this module starts (the modules
  // it imports ran before it); those of functions only importers may need travel in their pairs.
  const registeredHere = new Set([...plans.values()].filter((p) => p.built && p.needed).flatMap((p) => p.calleePairs));
  for (const local of registeredHere) first.unshift(`${registerExported}(${local});`);
  const registers = first.length > 0 || [...plans.values()].some((p) => p.built && p.needed);
  // The conversions of imported callees: plain data, which pulls in nothing of the library.
  const header = [...calleeImports.values()].map(
    (entry) => `import { ${exportName(entry.imported)} as ${entry.local} } from ${JSON.stringify(entry.source)};`,
  );
  if (registers || defaults.size > 0) {
    const helpers = [
      ...(registers ? [`registerBuilt as ${register}`] : []),
      ...(methods ? [`registerMethod as ${registerMethod}`] : []),
      ...(registeredHere.size ? [`registerExported as ${registerExported}`] : []),
      ...defaults,
    ];
    header.unshift(`import { ${helpers.join(', ')} } from '${BUILT_ENTRY}';`);
    header.push(...first);
  }
  if (header.length) {
    // After a hashbang line, which must stay first.
    const hashbang = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
    if (hashbang > 0) s.appendLeft(hashbang, `${header.join('\n')}\n`);
    else s.prepend(`${header.join('\n')}\n`);
  }
  if (tail.length) s.append(`\n${tail.join('\n')}\n`);
  if (!s.hasChanged()) return asItIs(warnings);
  return {
    code: s.toString(),
    map: s.generateMap({ hires: 'boundary', source: id, includeContent: true }),
    warnings,
  };
}

/** The export of a function's conversion: factsOf lists only functions exported under a plain name. */
const exportName = conversionExportOf;

function localNameOf(site: Site, facts: ModuleFacts): string {
  for (const fn of facts.functions.values()) if (fn.node === site.node) return fn.local;
  return site.name;
}

function siteOf(node: Node, declaration: boolean, local: string): Site {
  return declaration ? { kind: 'declaration', node, name: local } : { kind: 'expression', node, name: local };
}

/** The function's text as `toString` gives it: a method from its name (or `async`), without `static`. */
function sourceText(code: string, site: Site): string {
  if (site.kind === 'method') return code.slice(methodTextStart(code, site.method), site.method.end);
  return code.slice(site.node.start, site.node.end);
}

function methodTextStart(code: string, method: Node): number {
  const keyStart = method.computed ? code.lastIndexOf('[', method.key.start) : method.key.start;
  if (!method.value.async) return keyStart;
  const before = code.slice(method.start, keyStart);
  const at = before.lastIndexOf('async');
  return at < 0 ? keyStart : method.start + at;
}

function lineAndColumn(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = code.indexOf('\n'); i !== -1 && i < offset; i = code.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart };
}

/** An import specifier for `file` from the module `from`: relative, with forward slashes. */
function relativeSpecifier(from: string, file: string): string {
  const relative = path.relative(path.dirname(from), file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** The file a relative import names, as Node and bundlers find it (extensions and index files tried). */
export function resolveRelative(importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = path.resolve(path.dirname(importer.replace(/[?#].*$/, '')), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  const candidates = [
    base,
    ...['.js', '.mjs', '.jsx', '.ts', '.mts', '.tsx'].map((ext) => stem + ext),
    ...['index.js', 'index.mjs', 'index.ts'].map((name) => path.join(base, name)),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** The functions the module marks for conversion, and the marks it cannot take (said in a warning). */
function findMarks(
  code: string,
  program: Node,
  comments: Comment[],
  facts: ModuleFacts,
): { sites: Site[]; problems: string[] } {
  const problems: string[] = [];
  const toGraphNames = new Set<string>();
  const convertNames = new Set<string>();
  const namespaces = new Set<string>();
  for (const [local, binding] of facts.imports) {
    if (binding.source !== PACKAGE) continue;
    if (binding.imported === 'toGraph') toGraphNames.add(local);
    else if (binding.imported === 'convert') convertNames.add(local);
    else if (binding.imported === '*' || binding.imported === 'autograph') namespaces.add(local);
  }
  const isApi = (callee: Node, names: Set<string>, member: string) =>
    (callee.type === 'Identifier' && names.has(callee.name)) ||
    (callee.type === 'MemberExpression' &&
      !callee.computed &&
      callee.object.type === 'Identifier' &&
      namespaces.has(callee.object.name) &&
      callee.property.name === member);
  const isToGraph = (callee: Node) => isApi(callee, toGraphNames, 'toGraph');
  const isConvertCall = (node: Node) => node.type === 'CallExpression' && isApi(node.callee, convertNames, 'convert');

  const sites: Site[] = [];
  const functionsByStart: Node[] = [];
  const nameFor = (fn: Node, parent: Node | undefined) =>
    (fn.id?.name as string | undefined) ??
    (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier'
      ? (parent.id.name as string)
      : undefined) ??
    '<anonymous>';
  const markArgument = (argument: Node | undefined, parent: Node | undefined) => {
    if (!argument) return;
    if (argument.type === 'FunctionExpression' || argument.type === 'ArrowFunctionExpression') {
      if (!argument.generator) sites.push({ kind: 'expression', node: argument, name: nameFor(argument, parent) });
    } else if (argument.type === 'Identifier') {
      const fn = facts.functions.get(argument.name);
      if (fn) sites.push(siteOf(fn.node, fn.declaration, fn.local));
    }
  };
  const visit = (node: Node, parent: Node | undefined): void => {
    if (
      node.type === 'FunctionExpression' ||
      node.type === 'ArrowFunctionExpression' ||
      node.type === 'FunctionDeclaration'
    ) {
      functionsByStart.push(node);
    }
    if (node.type === 'CallExpression') {
      // `const f = toGraph(function ...)`: the declarator names the function, as run time's fn.name would not.
      const holder = parent?.type === 'VariableDeclarator' ? parent : undefined;
      if (isToGraph(node.callee)) markArgument(node.arguments[0], holder);
      else if (isConvertCall(node.callee)) markArgument(node.arguments[0], holder);
    }
    if (
      node.type === 'MethodDefinition' &&
      node.kind === 'method' &&
      !node.computed &&
      node.key.type !== 'PrivateIdentifier'
    ) {
      const decorator = (node.decorators as Node[] | undefined)?.find((d) => isConvertCall(d.expression));
      if (decorator && parent?.type === 'ClassBody' && !node.value.generator) {
        sites.push({
          kind: 'method',
          node: node.value,
          name: node.key.name ?? String(node.key.value),
          method: node,
          classBody: parent,
          decorator,
        });
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'loc' || key === 'range') continue;
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item === 'object' && 'type' in item) visit(item as Node, node);
      } else if (child && typeof child === 'object' && 'type' in child) {
        visit(child as Node, node);
      }
    }
  };
  visit(program, undefined);

  // A `/* @autograph */` comment marks the function that follows it (`export`, `const f =` and `async` may come between).
  for (const comment of comments) {
    if (!/^\s*[*]?\s*@autograph\b/.test(comment.value)) continue;
    const next = functionsByStart.filter((fn) => fn.start >= comment.end).sort((a, b) => a.start - b.start)[0];
    if (!next) continue;
    const between = code.slice(comment.end, next.start);
    if (!/^\s*(export\s+(default\s+)?)?((const|let|var)\s+[\w$]+\s*=\s*)?$/.test(between)) continue;
    const local = [...facts.functions.values()].find((fn) => fn.node === next);
    if (local) sites.push(siteOf(local.node, local.declaration, local.local));
    else if (next.type !== 'FunctionDeclaration') {
      sites.push({ kind: 'expression', node: next, name: nameFor(next, undefined) });
    } else {
      const line = code.slice(0, next.start).split('\n').length;
      problems.push(
        `the function after the @autograph comment on line ${line} is not converted at build time: only a named ` +
          'function at the top level of the module can be (give it a name, or move it there).',
      );
    }
  }
  return { sites, problems };
}
