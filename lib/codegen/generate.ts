// Turns converted trees back into JavaScript with astring, recording where each generated piece came from.

import { generate as astringGenerate } from 'astring';
import type * as ESTree from 'estree';

/** One entry of the source map: a generated position and the original position it came from (1-based lines). */
export interface Mapping {
  generatedLine: number;
  generatedColumn: number;
  originalLine: number;
  originalColumn: number;
}

export interface GeneratedCode {
  code: string;
  /** Sorted by generated position. Nodes the converter made from nothing carry no mapping. */
  mappings: Mapping[];
}

/** Generates code for `node`. Original positions are those of the text acorn parsed. */
export function generate(node: ESTree.Node): GeneratedCode {
  const mappings: Mapping[] = [];
  const sourceMap = {
    file: 'converted.js',
    addMapping(mapping: { generated: { line: number; column: number }; original: { line: number; column: number } }) {
      // astring passes its own mutable state as `generated`, so the numbers are copied now.
      mappings.push({
        generatedLine: mapping.generated.line,
        generatedColumn: mapping.generated.column,
        originalLine: mapping.original.line,
        originalColumn: mapping.original.column,
      });
    },
  };
  const code = astringGenerate(node as Parameters<typeof astringGenerate>[0], {
    indent: '  ',
    sourceMap: sourceMap as never,
  });
  return { code, mappings };
}

/**
 * The original position of a generated one: the last mapping at or before it on its line, else the first
 * mapping on its line (astring maps names and literals, not the runtime calls wrapped around them).
 */
export function originalPosition(
  mappings: readonly Mapping[],
  line: number,
  column: number,
): { line: number; column: number } | undefined {
  const onLine = mappings.filter((mapping) => mapping.generatedLine === line);
  const before = onLine.filter((mapping) => mapping.generatedColumn <= column);
  const found = before[before.length - 1] ?? onLine[0];
  return found && { line: found.originalLine, column: found.originalColumn };
}
