// The bundler plugin, written once for esbuild, Vite, Rollup and webpack: converts marked functions at build time.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUnplugin } from 'unplugin';
import { mayConvert, transformModule, type TypeStripper } from './transform.js';

export interface AutographPluginOptions {
  /**
   * No run-time conversion, so that the bundle runs under a Content Security Policy without
   * 'unsafe-eval': a callee the build cannot see runs as it is, and the build warns about it.
   */
  csp?: boolean;
  /** Which files to convert: by default every .js, .mjs, .ts and .mts file outside node_modules. */
  include?: (id: string) => boolean;
  /** The project's root, which error messages name files relative to: by default the working directory. */
  root?: string;
}

const SCRIPT = /\.(m?js|m?ts)$/;
/** This package's own code (dist/ or lib/), never converted: a linked install puts it outside node_modules. */
const OWN_CODE = [fileURLToPath(new URL('../', import.meta.url))];
const defaultInclude = (id: string) => SCRIPT.test(id) && !/[\\/]node_modules[\\/]/.test(id);

function checkOptions(options: unknown): AutographPluginOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('autograph plugin: options must be an object, for example autograph({ csp: true }).');
  }
  const { csp, include, root, ...rest } = options as AutographPluginOptions & Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) {
    throw new TypeError(`autograph plugin: unknown option '${unknown[0]}'; the options are csp, include and root.`);
  }
  if (csp !== undefined && typeof csp !== 'boolean')
    throw new TypeError('autograph plugin: csp must be true or false.');
  if (include !== undefined && typeof include !== 'function') {
    throw new TypeError('autograph plugin: include must be a function from a file path to true or false.');
  }
  if (root !== undefined && typeof root !== 'string') throw new TypeError('autograph plugin: root must be a path.');
  return { csp, include, root };
}

export const autographPlugin = createUnplugin((rawOptions: AutographPluginOptions | undefined) => {
  const options = checkOptions(rawOptions);
  const include = options.include ?? defaultInclude;
  const root = options.root ?? process.cwd();
  const csp = options.csp ?? false;
  let stripTypes: Promise<TypeStripper | undefined> | undefined;
  const processes = (id: string) => {
    // Virtual modules (`\0commonjsHelpers.js`) are the bundler's own, not files of the app.
    if (id.startsWith('\0')) return false;
    const file = id.replace(/[?#].*$/, '');
    return path.isAbsolute(file) && include(file) && !OWN_CODE.some((folder) => file.startsWith(folder));
  };
  return {
    name: 'tfjs-autograph',
    // First, on the source as written: before a TypeScript or decorator transform rewrites it.
    enforce: 'pre',
    transformInclude: (id) => processes(id),
    async transform(code, id) {
      const file = id.replace(/[?#].*$/, '');
      if (!mayConvert(code)) return undefined;
      // TypeScript (of this module, or of a module it imports) is read through ts-blank-space, when installed.
      stripTypes ??= loadTypeStripper();
      // Imports the bundler resolves by its own rules (a package's `imports`, an alias) may be the app's files.
      const resolved = await resolveBareImports(this, code, file);
      const out = transformModule(code, file, { root, csp, stripTypes: await stripTypes, processes, resolved });
      if (!out) return undefined;
      for (const warning of out.warnings) this.warn(`autograph: ${warning}`);
      return { code: out.code, map: out.map };
    },
  };
});

/** ts-blank-space's stripper (an optional peer dependency), or undefined when it is not installed. */
export async function loadTypeStripper(): Promise<TypeStripper | undefined> {
  try {
    const { default: blank } = (await import('ts-blank-space')) as {
      default: (code: string, onError: (node: { pos: number; end: number }) => void) => string;
    };
    // The node's text, from its position (its source file has no parents set, so getText() cannot tell it).
    const textOf = (code: string, node: { pos: number; end: number }) =>
      code.slice(node.pos, node.end).trim().split('\n')[0]!.slice(0, 60);
    return (code, unsupported) => blank(code, (node) => unsupported(textOf(code, node)));
  } catch {
    return undefined;
  }
}

/** `from '...'` in import and export statements (a string or comment that looks alike is resolved too, harmlessly). */
const FROM = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1/g;

type Resolve = (specifier: string) => Promise<string | undefined>;

/**
 * The files the bundler resolves the module's non-relative imports to (packages of tfjs and this library
 * aside), through the bundler's own resolver: esbuild's `build.resolve`, webpack's `getResolve`, or the
 * Rollup and Vite context's `resolve`.
 */
async function resolveBareImports(context: unknown, code: string, importer: string): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  const specifiers = new Set(
    [...code.matchAll(FROM)]
      .map((match) => match[2]!)
      .filter((s) => !/^(\.{1,2}\/|\/|@tensorflow\/|tfjs-autograph(\/|$)|node:)/.test(s)),
  );
  if (specifiers.size === 0) return resolved;
  const resolve = nativeResolve(context, importer);
  for (const specifier of specifiers) {
    try {
      const file = await resolve(specifier);
      if (file && path.isAbsolute(file)) resolved.set(specifier, file.replace(/[?#].*$/, ''));
    } catch {
      // Not resolvable: not a callee the build can see.
    }
  }
  return resolved;
}

function nativeResolve(context: unknown, importer: string): Resolve {
  const ctx = context as {
    getNativeBuildContext?: () => {
      framework: string;
      build?: {
        resolve(s: string, o: object): Promise<{ path: string; errors: unknown[]; external?: boolean }>;
      };
      loaderContext?: { getResolve(): (context: string, request: string) => Promise<string> };
    };
    resolve?: (s: string, importer: string, o: object) => Promise<{ id: string; external?: unknown } | null>;
  };
  const native = ctx.getNativeBuildContext?.();
  if (native?.framework === 'esbuild' && native.build) {
    const build = native.build;
    return async (specifier) => {
      const result = await build.resolve(specifier, {
        resolveDir: path.dirname(importer),
        importer,
        kind: 'import-statement',
      });
      return result.errors.length || result.external ? undefined : result.path;
    };
  }
  if (native?.framework === 'webpack' && native.loaderContext) {
    const resolve = native.loaderContext.getResolve();
    return (specifier) => resolve(path.dirname(importer), specifier);
  }
  if (typeof ctx.resolve === 'function') {
    const resolve = ctx.resolve.bind(context);
    return async (specifier) => {
      const result = await resolve(specifier, importer, { skipSelf: true });
      return result && !result.external ? result.id : undefined;
    };
  }
  return () => Promise.resolve(undefined);
}
