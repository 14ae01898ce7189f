// Which lines of converted code come from each line of the user's function, read from toCode's source map.
import type { SourceMap } from '../lib/index.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one segment of a source map's `mappings`, in base64 VLQ. */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** For each line of the original (1-based), the lines of the converted code (1-based) mapped to it. */
export function convertedLinesBySource(map: SourceMap): Map<number, Set<number>> {
  const lines = new Map<number, Set<number>>();
  // The original line is a delta from the previous segment's, across lines of the converted code.
  let original = 0;
  map.mappings.split(';').forEach((line, generated) => {
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields = decodeSegment(segment);
      if (fields.length < 4) continue;
      original += fields[2]!;
      let set = lines.get(original + 1);
      if (!set) lines.set(original + 1, (set = new Set()));
      set.add(generated + 1);
    }
  });
  return lines;
}
