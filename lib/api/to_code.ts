// toCode: the converted source of a function, as readable JavaScript, with a source map on request.

import type * as ESTree from 'estree';
import { generate, type Mapping } from '../codegen/generate.js';
import { sourceMap, type SourceMap } from '../codegen/source_map.js';
import { toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';
import { conversionOf } from './conversions.js';
import { checkOptions, type AnyFunction, type ConvertOptions } from './options.js';

/** The converted code with its source map, as `toCode(fn, { sourceMap: true })` returns them. */
export interface CodeWithSourceMap {
  code: string;
  /** Maps each piece of `code` to the line and column of `fn.toString()` it came from. */
  map: SourceMap;
}

/** toCode's own options, besides those of toGraph. */
export interface ToCodeOptions extends ConvertOptions {
  /** Also return a source map from the converted code to the function's own source. */
  sourceMap?: boolean;
  /**
   * Show the plain clone: the synchronous copy that runs first on plain values (numbers, arrays), with
   * native control flow and a guard on every decision a tensor would stage. Only functions that are
   * neither async nor generators have one.
   */
  plain?: boolean;
}

/**
 * The converted source of `fn`, as readable JavaScript. Free names need not be bound to read it. With
 * `{ sourceMap: true }`, also a source map from the converted code to the function's own source; with
 * `{ plain: true }`, the plain clone instead of the staged code.
 */
export function toCode(fn: AnyFunction, options?: ToCodeOptions & { sourceMap?: false }): string;
export function toCode(fn: AnyFunction, options: ToCodeOptions & { sourceMap: true }): CodeWithSourceMap;
export function toCode(fn: AnyFunction, options?: ToCodeOptions): string | CodeWithSourceMap {
  const { sourceMap: withMap, plain, ...rest } = (options ?? {}) as { sourceMap?: unknown; plain?: unknown };
  if (withMap !== undefined && typeof withMap !== 'boolean') {
    throw new TypeError('toCode: options.sourceMap must be true or false.');
  }
  if (plain !== undefined && typeof plain !== 'boolean') {
    throw new TypeError('toCode: options.plain must be true or false.');
  }
  checkOptions(options === undefined ? undefined : rest, 'toCode');
  const conversion = conversionOf(fn);
  const which = plain ? 'plain' : 'staged';
  const { name, async } = conversion.facts;
  const noPlain = () =>
    new TypeError(
      `toCode: ${name} has no plain clone: it is ${async ? 'async' : 'a generator'}, so it always runs as the ` +
        'staged code. Leave out { plain: true }.',
    );
  const { built, runtime } = conversion;
  if (built) {
    // Converted at build time: the plugin embedded the readable code and its map's mappings.
    const code = built.code[which];
    if (code === undefined) throw noPlain();
    if (!withMap) return code;
    return {
      code,
      map: {
        version: 3,
        file: `${name}.converted.js`,
        sources: [`${name}.js`],
        sourcesContent: [built.source],
        names: [],
        mappings: built.maps[which] ?? '',
      },
    };
  }
  const node = plain ? runtime!.converted.plainNode : runtime!.converted.stagedNode();
  if (!node) throw noPlain();
  runtime!.generated ??= {};
  // Generated on first request only: toGraph alone never needs the readable text.
  let generatedCode = runtime!.generated[which];
  if (!generatedCode) {
    generatedCode = runtime!.generated[which] = readableCode(node, runtime!.parsed);
  }
  const { code, mappings } = generatedCode;
  if (!withMap) return code;
  return {
    code,
    map: sourceMap(mappings, { name: `${name}.js`, content: runtime!.parsed.source }, `${name}.converted.js`),
  };
}

/**
 * The readable code of a converted function's tree, with mappings into the function's own source (the
 * parser's positions are those of the text it parsed, which may start with a prefix).
 */
export function readableCode(node: ESTree.Node, parsed: ParsedFunction): { code: string; mappings: Mapping[] } {
  const generated = generate(node);
  const mappings = generated.mappings.map((mapping) => {
    const position = toSourcePosition(parsed, { line: mapping.originalLine, column: mapping.originalColumn });
    return { ...mapping, originalLine: position.line, originalColumn: position.column };
  });
  return { code: generated.code, mappings };
}
