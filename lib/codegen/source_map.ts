// Source maps (version 3) for converted code: which line and column of the original each piece came from.

import type { Mapping } from './generate.js';

/** A source map as tools read it (https://sourcemaps.info/spec.html), with the original source inline. */
export interface SourceMap {
  version: 3;
  file: string;
  sources: string[];
  sourcesContent: string[];
  names: string[];
  mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One number in base64 VLQ: the sign in the lowest bit, then five bits per digit, low digits first. */
function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/**
 * Encodes `mappings` (1-based lines, 0-based columns, on both sides) for one original source. Each
 * segment is relative to the one before it, as the format asks; lines are separated by semicolons.
 */
export function sourceMap(
  mappings: readonly Mapping[],
  source: { name: string; content: string },
  file: string,
): SourceMap {
  const sorted = [...mappings].sort(
    (a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn,
  );
  const lines: string[][] = [];
  let previousOriginalLine = 0;
  let previousOriginalColumn = 0;
  let previousColumn = 0;
  for (const mapping of sorted) {
    const line = mapping.generatedLine - 1;
    // Generated columns restart on each line; original positions run on across the whole map.
    if (lines.length <= line) previousColumn = 0;
    while (lines.length <= line) lines.push([]);
    lines[line]!.push(
      vlq(mapping.generatedColumn - previousColumn) +
        vlq(0) +
        vlq(mapping.originalLine - 1 - previousOriginalLine) +
        vlq(mapping.originalColumn - previousOriginalColumn),
    );
    previousColumn = mapping.generatedColumn;
    previousOriginalLine = mapping.originalLine - 1;
    previousOriginalColumn = mapping.originalColumn;
  }
  return {
    version: 3,
    file,
    sources: [source.name],
    sourcesContent: [source.content],
    names: [],
    mappings: lines.map((segments) => segments.join(',')).join(';'),
  };
}

/**
 * The inverse of `sourceMap`'s encoding: each segment of `mappings` as a Mapping (1-based lines, 0-based
 * columns), in the order the string holds them. For tools that read a map toCode gave (the demo marks the
 * converted lines that come from a line of the original).
 */
export function decodeMappings(mappings: string): Mapping[] {
  const out: Mapping[] = [];
  let [originalLine, originalColumn] = [0, 0];
  mappings.split(';').forEach((line, generatedLine) => {
    let generatedColumn = 0;
    for (const segment of line.split(',').filter(Boolean)) {
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        shift += 5;
        if (!(digit & 32)) {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          [value, shift] = [0, 0];
        }
      }
      if (values.length < 4) continue;
      generatedColumn += values[0]!;
      originalLine += values[2]!;
      originalColumn += values[3]!;
      out.push({ generatedLine: generatedLine + 1, generatedColumn, originalLine: originalLine + 1, originalColumn });
    }
  });
  return out;
}
