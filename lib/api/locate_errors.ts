// Points errors raised while converted code runs at the user's line, through the code's source mappings.

import { AssertionError, codeFrame, locatableErrors, StagingError } from '../errors.js';
import { originalPosition } from '../codegen/generate.js';
import { toSourcePosition } from '../parse/parse_function.js';
import { loadedCodeAt, type LoadedCodeEntry } from './loaded_code.js';

/** `new Function` puts its parameter list and `{` on two lines before the body the loader generated. */
const FUNCTION_HEADER_LINES = 2;

/** Errors already pointed at the user's line, which callers up the chain leave alone. */
export const isLocated = (error: object): boolean => located.has(error);
const located = new WeakSet<object>();

/**
 * The library's own directory, whose stack frames the user never needs to read; unknown when the library
 * is bundled into other code, whose frames must stay.
 */
const libraryRoot = /\/(lib|dist)\/api\/locate_errors\.[jt]s$/.test(import.meta.url)
  ? new URL('..', import.meta.url).href
  : undefined;
const libraryPath =
  libraryRoot?.startsWith('file://') === true ? decodeURIComponent(new URL(libraryRoot).pathname) : libraryRoot;

const FRAME = /autograph:\/\/\/[^\s:)]+\.js:(\d+):(\d+)/;

interface Position {
  code: LoadedCodeEntry;
  line: number;
  column: number;
}

/** The user's position of a stack frame in converted code, or undefined for any other frame. */
function framePosition(frame: string): Position | undefined {
  const match = FRAME.exec(frame);
  if (!match) return undefined;
  const code = loadedCodeAt(match[0].slice(0, match[0].lastIndexOf('.js:') + 3));
  if (!code) return undefined;
  const mapped = originalPosition(code.mappings, Number(match[1]) - FUNCTION_HEADER_LINES, Number(match[2]) - 1);
  if (!mapped) return undefined;
  const position = toSourcePosition(code.parsed, mapped);
  return { code, line: position.line, column: position.column };
}

/**
 * The stack as the user reads it: frames in converted code become the user's function and line, and the
 * library's own frames are left out.
 */
function userStack(stack: string, header: string): string {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const kept = frames.flatMap((frame) => {
    const position = framePosition(frame);
    if (position) {
      const name = position.code.parsed.name;
      return [`    at ${name} (${name}:${position.line}:${position.column + 1})`];
    }
    if (libraryRoot && (frame.includes(libraryRoot) || frame.includes(libraryPath!))) return [];
    // The generators the runtime steps, and the promise the driver makes: machinery, not the user's code.
    if (/\.next \(<anonymous>\)$|^\s+at new Promise \(<anonymous>\)$/.test(frame)) return [];
    return [frame];
  });
  return [header, ...kept].join('\n');
}

/**
 * Points an error raised in converted code at the user's line: the innermost stack frame in converted code
 * is mapped back to the function's own source. The message gains the function's name, the line and a code
 * frame; `line` and `column` give the position. The library's errors (StagingError, AssertionError, a
 * failed node:assert) are updated in place; any other error is rethrown as a copy of the same class,
 * with the original as `cause`. Errors from elsewhere are returned as they are.
 */
export function locateError(error: unknown): unknown {
  if (!(error instanceof Error) || located.has(error) || typeof error.stack !== 'string') return error;
  const position = error.stack
    .split('\n')
    .map(framePosition)
    .find((p) => p !== undefined);
  if (!position) return error;
  const { code, line, column } = position;
  const where = `\n\nIn ${code.parsed.name}, line ${line}:\n${codeFrame(code.parsed.source, { line, column })}`;
  const target = withLocation(error, where, { line, column: column + 1 });
  target.stack = userStack(error.stack, `${target.name}: ${target.message}`);
  return target;
}

/**
 * `error` with `where` appended to its message and `position` (1-based, as editors count) as properties,
 * marked as located. The library's errors (StagingError, AssertionError, a failed node:assert) are updated
 * in place; any other error becomes a copy of the same class, with the original as `cause`.
 */
export function withLocation(error: Error, where: string, position: Record<string, unknown>): Error {
  const ours = error instanceof StagingError || error instanceof AssertionError || locatableErrors.has(error);
  const target = ours ? error : copyOf(error);
  // Defined, not assigned: some classes (DOMException) give `message` by a getter alone.
  Object.defineProperty(target, 'message', {
    value: error.message + where,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.assign(target, position);
  if (!ours) Object.defineProperty(target, 'cause', { value: error, writable: true, configurable: true });
  located.add(target);
  return target;
}

/** A copy of `error` of the same class, without calling its constructor (whose signature is unknown). */
function copyOf(error: Error): Error & { line?: number; column?: number } {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  return copy;
}
