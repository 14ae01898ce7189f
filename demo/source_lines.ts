// Which lines of converted code come from each line of the user's function, read from toCode's source map.
import { decodeMappings } from '../lib/codegen/source_map.js';
import type { SourceMap } from '../lib/index.js';

/** For each line of the original (1-based), the lines of the converted code (1-based) mapped to it. */
export function convertedLinesBySource(map: SourceMap): Map<number, Set<number>> {
  const lines = new Map<number, Set<number>>();
  for (const { generatedLine, originalLine } of decodeMappings(map.mappings)) {
    let set = lines.get(originalLine);
    if (!set) lines.set(originalLine, (set = new Set()));
    set.add(generatedLine);
  }
  return lines;
}
