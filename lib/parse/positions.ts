// Positions: from the text acorn parsed (the source, wrapped to make it an expression) to the source itself.

import type * as ESTree from 'estree';
import type { SourcePosition } from '../errors.js';

/** Maps a position in the wrapped text acorn parsed to a position in the function's own source. */
export function toSourcePosition(parsed: { prefixLength: number }, loc: ESTree.Position): SourcePosition {
  return { line: loc.line, column: loc.line === 1 ? Math.max(0, loc.column - parsed.prefixLength) : loc.column };
}
