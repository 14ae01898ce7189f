// toCode: the converted source of a function, as readable JavaScript, with a source map on request.

import { generate } from '../codegen/generate.js';
import { sourceMap, type SourceMap } from '../codegen/source_map.js';
import { toSourcePosition } from '../parse/parse_function.js';
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
    // Converted at build time: the plugin embedded the readable code; its map went to the bundle's own.
    const code = built.code[which];
    if (code === undefined) throw noPlain();
    if (withMap) {
      throw new TypeError(
        `toCode: ${name} was converted at build time (in ${built.file}); its source map is part of the ` +
          "bundle's own, which the bundler writes. Leave out { sourceMap: true }.",
      );
    }
    return code;
  }
  const node = plain ? runtime!.converted.plainNode : runtime!.converted.stagedNode();
  if (!node) throw noPlain();
  runtime!.generated ??= {};
  // Generated on first request only: toGraph alone never needs the readable text.
  let generatedCode = runtime!.generated[which];
  if (!generatedCode) {
    const generated = generate(node);
    const { parsed } = runtime!;
    // Original positions are those of the text acorn parsed; the map points into the function's own source.
    const mappings = generated.mappings.map((mapping) => {
      const position = toSourcePosition(parsed, { line: mapping.originalLine, column: mapping.originalColumn });
      return { ...mapping, originalLine: position.line, originalColumn: position.column };
    });
    generatedCode = runtime!.generated[which] = { code: generated.code, mappings };
  }
  const { code, mappings } = generatedCode;
  if (!withMap) return code;
  return {
    code,
    map: sourceMap(mappings, { name: `${name}.js`, content: runtime!.parsed.source }, `${name}.converted.js`),
  };
}
