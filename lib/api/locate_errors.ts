// Points errors raised while converted code runs at the user's line, through the code's source mappings.

import { AssertionError, codeFrame, locatableErrors, StagingError } from '../errors.js';
import { originalPosition, type Mapping } from '../codegen/generate.js';
import { toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';

/** `new Function` puts its parameter list and `{` on two lines before the body the loader generated. */
const FUNCTION_HEADER_LINES = 2;

export interface LocatedCode {
  parsed: ParsedFunction;
  mappings: readonly Mapping[];
  /** The sourceURL the loader gave the code, as stack frames show it. */
  url: string;
}

/**
 * Adds the user's line and a code frame to a StagingError or a failed assert raised in converted code:
 * the innermost stack frame in that code is mapped back to the function's own source. Other errors are
 * left as they are.
 */
export function locateError(error: unknown, code: LocatedCode): unknown {
  const ours =
    error instanceof StagingError ||
    error instanceof AssertionError ||
    (error instanceof Error && locatableErrors.has(error));
  if (!ours) return error;
  const located = error as Error & { line?: number; column?: number };
  if (located.line !== undefined || typeof located.stack !== 'string') return error;
  return locate(located as typeof located & { stack: string }, code);
}

function locate(error: Error & { line?: number; column?: number; stack: string }, code: LocatedCode): Error {
  const escaped = code.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const frame = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(error.stack);
  if (!frame) return error;
  const mapped = originalPosition(code.mappings, Number(frame[1]) - FUNCTION_HEADER_LINES, Number(frame[2]) - 1);
  if (!mapped) return error;
  const position = toSourcePosition(code.parsed, mapped);
  error.line = position.line;
  error.column = position.column;
  const header = `${error.name}: ${error.message}`;
  error.message += `\n\nIn ${code.parsed.name}, line ${position.line}:\n${codeFrame(code.parsed.source, position)}`;
  // The stack was formatted with the old message when it was read above.
  if (error.stack.startsWith(header))
    error.stack = `${error.name}: ${error.message}${error.stack.slice(header.length)}`;
  return error;
}
