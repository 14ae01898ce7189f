// Points errors raised while converted code runs at the user's line, through the code's source mappings.

import { AssertionError, codeFrame, locatableErrors, StagingError } from '../errors.js';
import { originalPosition } from '../codegen/generate.js';
import { toSourcePosition } from '../parse/parse_function.js';
import { loadedCodeAt, type LoadedCodeEntry } from './loaded_code.js';

/** `new Function` puts its parameter list and `{` on two lines before the body the loader generated. */
const FUNCTION_HEADER_LINES = 2;

/** Errors already pointed at the user's line, which callers up the chain leave alone. */
const located = new WeakSet<object>();

/** Where code converted at build time was when an error passed through it: in the user's file. */
export interface NotedPosition {
  functionName: string;
  file: string;
  /** 1-based line and 0-based column in the file. */
  line: number;
  column: number;
  /** The code frame of the function as written, with the file's line numbers. */
  frame: string;
}

/**
 * Positions noted for errors on their way out of code converted at build time, innermost first: the
 * error goes on unchanged (a caller's catch sees the very error thrown), and the call that rejects with
 * it locates it (locateError).
 */
const noted = new WeakMap<object, NotedPosition>();

/** Notes where `error` passed, unless a function it passed first already did; returns `error`. */
export function notePosition(error: unknown, position: () => NotedPosition): unknown {
  if (typeof error === 'object' && error !== null && !noted.has(error) && !located.has(error)) {
    noted.set(error, position());
  }
  return error;
}

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
  if (!(error instanceof Error) || located.has(error)) return error;
  const note = noted.get(error);
  if (note) return locateAt(error, note);
  if (typeof error.stack !== 'string') return error;
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

/** `error` pointed at a position noted in code converted at build time (`file`, `line`, `column`, a frame). */
function locateAt(error: Error, note: NotedPosition): Error {
  const where = `\n\nIn ${note.functionName} (${note.file}), line ${note.line}:\n${note.frame}`;
  const target = withLocation(error, where, { line: note.line, column: note.column + 1, file: note.file });
  if (typeof error.stack === 'string') {
    const frames = error.stack.split('\n').filter((text) => /^\s+at /.test(text));
    const top = `    at ${note.functionName} (${note.file}:${note.line}:${note.column + 1})`;
    target.stack = [`${target.name}: ${target.message}`, top, ...frames].join('\n');
  }
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
  // Some classes (DOMException) give `name` by a getter that only the original passes: read it now.
  Object.defineProperty(copy, 'name', { value: error.name, writable: true, configurable: true, enumerable: false });
  return copy;
}
