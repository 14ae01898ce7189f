// Converts one function of a module at build time into the data run time registers (api/built.ts), as an AST.

import type * as ESTree from 'estree';
import { analyzeScopes } from '../analysis/scopes.js';
import { array, identifier, literal } from '../codegen/builders.js';
import { sourceMap } from '../codegen/source_map.js';
import { readableCode } from '../api/to_code.js';
import { convertFunction } from '../converters/index.js';
import { checkFreeWrites } from '../api/free_names.js';
import { parseFunctionSource } from '../parse/parse_function.js';
import { addPositionMarkers } from './position_markers.js';
import { addPurityFacts, changesOf } from './purity_facts.js';

/** Where a function is in its module. */
export interface FunctionSite {
  /** The module's file, relative to the project's root, as errors name it. */
  file: string;
  /** 1-based line and 0-based column of the function's first character. */
  line: number;
  column: number;
}

export interface BuiltFunction {
  /** The object literal registerBuilt takes (its `uses` is added by the caller). */
  data: ESTree.ObjectExpression;
  /** Names the function uses but does not declare, as written, with the first use. */
  free: Map<string, ESTree.Identifier>;
  /** The free names the function calls directly (`helper(x)`), which callees may be. */
  called: Set<string>;
  /** The methods the function calls on its own `this` (`this.update(x)`), which its class may have. */
  calledMethods: Set<string>;
}

const property = (key: string, value: ESTree.Expression): ESTree.Property => ({
  type: 'Property',
  key: identifier(key),
  value,
  kind: 'init',
  method: false,
  shorthand: false,
  computed: false,
});

const factory = (params: string[], body: ESTree.FunctionExpression): ESTree.ArrowFunctionExpression => ({
  type: 'ArrowFunctionExpression',
  params: params.map(identifier),
  body,
  expression: true,
  async: false,
  generator: false,
});

/**
 * Converts `source` (a function's text as `toString` gives it) as run time would, and returns the data
 * that registers it: both back ends as factories, with position markers, and what toCode prints.
 * Throws a ConversionError when the function cannot be converted.
 */
export function buildFunction(
  source: string,
  name: string,
  site: FunctionSite,
  csp: boolean,
  /** The function as written, for code frames and toCode's map: its TypeScript, where `source` has it stripped. */
  written = source,
): BuiltFunction {
  const parsed = parseFunctionSource(source, name);
  const scopes = analyzeScopes(parsed.node);
  checkFreeWrites(parsed, scopes);
  // Read off the function as written: the passes rewrite calls into runtime calls.
  const { called, calledMethods } = calledNames(parsed.node, scopes.free);
  const converted = convertFunction(parsed, scopes);
  // The function's own name, when its body calls it and nothing else declares it, is the original function.
  const selfUsed = scopes.references.some((reference) => reference.binding?.kind === 'self');
  const params = [converted.runtime, converted.callContext, ...(selfUsed ? [parsed.name] : [])];
  const staged = converted.stagedNode();
  const plain = converted.plainNode;
  // The readable code first: markers change the trees in place.
  const code: ESTree.Property[] = [];
  const maps: ESTree.Property[] = [];
  for (const [which, tree] of [
    ['staged', staged],
    ['plain', plain],
  ] as const) {
    if (!tree) continue;
    const readable = readableCode(tree, parsed);
    code.push(property(which, literal(readable.code)));
    const map = sourceMap(readable.mappings, { name: `${name}.js`, content: written }, `${name}.converted.js`);
    maps.push(property(which, literal(map.mappings)));
  }
  // Graph mode's reading of the staged code, done here on the code as generated, before the bundle renames it.
  const changes = changesOf(staged);
  addPurityFacts(staged, converted.runtime);
  const positions: number[] = [];
  const stagedMarked = addPositionMarkers(staged, converted.callContext, parsed, positions);
  const plainMarked = plain && addPositionMarkers(plain, converted.callContext, parsed, positions);
  const node = parsed.node;
  const properties = [
    property('name', literal(parsed.name)),
    property('kind', literal(parsed.kind)),
    property('async', literal(node.async ?? false)),
    property('params', array(node.params.map((p) => literal(p.type === 'Identifier' ? p.name : '')))),
    property('usesThis', literal(parsed.kind !== 'arrow' && scopes.thisExpressions.length > 0)),
    property('restartable', literal(converted.restartable)),
    property('changes', literal(changes)),
    property('staged', factory(params, stagedMarked.node)),
    ...(plainMarked ? [property('plain', factory(params, plainMarked.node))] : []),
    property('code', { type: 'ObjectExpression', properties: code }),
    property('maps', { type: 'ObjectExpression', properties: maps }),
    property('file', literal(site.file)),
    property('line', literal(site.line)),
    property('column', literal(site.column)),
    property('source', literal(written)),
    property('positions', array(positions.map(literal))),
    ...(csp ? [property('csp', literal(true))] : []),
  ];
  return { data: { type: 'ObjectExpression', properties }, free: scopes.free, called, calledMethods };
}

/**
 * The free names that appear as the callee of a call (`helper(x)`, `helper?.(x)`), and the names of the
 * methods called on `this` (`this.update(x)`).
 */
function calledNames(
  node: ESTree.Node,
  free: ReadonlyMap<string, ESTree.Identifier>,
): { called: Set<string>; calledMethods: Set<string> } {
  const called = new Set<string>();
  const calledMethods = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const n = value as ESTree.Node;
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && free.has(n.callee.name)) {
      called.add(n.callee.name);
    }
    if (
      n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      n.callee.object.type === 'ThisExpression' &&
      !n.callee.computed &&
      n.callee.property.type === 'Identifier'
    ) {
      calledMethods.add(n.callee.property.name);
    }
    for (const [key, child] of Object.entries(n)) if (key !== 'loc' && key !== 'range') visit(child);
  };
  visit(node);
  return { called, calledMethods };
}
