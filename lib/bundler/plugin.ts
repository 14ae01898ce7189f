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
      const out = transformModule(code, file, { root, csp, stripTypes: await stripTypes, processes });
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
