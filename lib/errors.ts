// The library's error types and the code frames that point errors at the user's source.

/** Where in the user's function something is: 1-based line, 0-based column, as in `fn.toString()`. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Renders the lines around `position` with a caret under the column, in the manner of Babel's code frames;
 * lines are numbered from `lineOffset + 1` (a function's text numbered as the lines of its file).
 */
export function codeFrame(source: string, position: SourcePosition, context = 2, lineOffset = 0): string {
  const lines = source.split('\n');
  const first = Math.max(1, position.line - context);
  const last = Math.min(lines.length, position.line + context);
  const width = String(last + lineOffset).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === position.line ? '>' : ' ';
    const text = lines[n - 1] ?? '';
    out.push(`${marker} ${String(n + lineOffset).padStart(width)} | ${text}`.trimEnd());
    if (n === position.line) {
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(position.column)}^`);
    }
  }
  return out.join('\n');
}

export interface ConversionErrorDetails {
  /** The name of the function being converted, or '<anonymous>'. */
  functionName: string;
  /** The source the position refers to: the function's `toString()` text. */
  source?: string;
  position?: SourcePosition;
  /** What the user should do instead. */
  fix?: string;
}

/**
 * Raised when a function cannot be converted: unsupported input, a construct the converter rejects,
 * or free variables that cannot be bound. Carries the position in the function's own source and the fix.
 */
export class ConversionError extends Error {
  readonly functionName: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly frame: string | undefined;
  readonly fix: string | undefined;
  readonly problem: string;

  constructor(problem: string, details: ConversionErrorDetails) {
    const where = details.position ? ` (line ${details.position.line}, column ${details.position.column + 1})` : '';
    const frame =
      details.position && details.source !== undefined ? codeFrame(details.source, details.position) : undefined;
    const parts = [`Cannot convert ${details.functionName}${where}: ${problem}`];
    if (frame) parts.push(frame);
    if (details.fix) parts.push(`Fix: ${details.fix}`);
    super(parts.join('\n\n'));
    this.name = 'ConversionError';
    this.problem = problem;
    this.functionName = details.functionName;
    this.line = details.position?.line;
    // 1-based, as the message says and as editors count.
    this.column = details.position && details.position.column + 1;
    this.frame = frame;
    this.fix = details.fix;
  }
}

/**
 * Raised at run time by the operators when a staged construct cannot run as written: a condition that
 * is not a scalar, a loop variable whose dtype changes, and the like.
 */
export class StagingError extends Error {
  /** Where in the user's function it was raised, once located (1-based line and column). */
  line: number | undefined;
  column: number | undefined;

  constructor(message: string) {
    super(message);
    this.name = 'StagingError';
  }
}

/**
 * Raised by `autograph.assert` when its condition is false (on a tensor, once the value is read). The
 * message is the user's; the runtime adds the user's line.
 */
export class AssertionError extends Error {
  line: number | undefined;
  column: number | undefined;

  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Errors raised by the runtime for the user's code, which get the user's line: see api/locate_errors.ts. */
export const locatableErrors = new WeakSet<Error>();
