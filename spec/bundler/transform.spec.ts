// The build-time transform of one module: what it finds marked, what it emits, and what it warns about.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModuleCode } from '../../lib/bundler/module_facts.js';
import { transformModule, type TypeStripper } from '../../lib/bundler/transform.js';
import { autographPlugin, loadTypeStripper } from '../../lib/bundler/plugin.js';

const root = '/project';
const transform = (code: string, csp = false, file = '/project/src/app.js') =>
  transformModule(code, file, { root, csp });

/** Runs `body` with a fresh temporary folder, removed afterwards. */
function inTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-transform-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The transform of app.js in `dir` (which holds the modules it imports), under csp. */
const transformAt = (dir: string, lines: string[]) =>
  transformModule(lines.join('\n'), join(dir, 'app.js'), { root: dir, csp: true })!;

/** The names registerBuilt is called on, or wrapped around (by the `name` property of the data). */
const registered = (code: string) => [...code.matchAll(/name: "([^"]+)",\n\s+kind:/g)].map((m) => m[1]);

describe('the build-time transform', () => {
  it('converts each kind of mark and leaves code that parses, with the converted code in place', () => {
    const out = transform(
      [
        "import * as tf from '@tensorflow/tfjs';",
        "import { toGraph, convert, autograph } from 'tfjs-autograph';",
        'const LIMIT = 3;',
        'export const a = toGraph(function first(x) { return x > LIMIT ? x : -x; });',
        'const b = toGraph((x) => tf.abs(x));',
        'function third(x) { if (x > 0) { return 1; } return 0; }',
        'const c = toGraph(third);',
        '/* @autograph */',
        'export function fourth(x) { while (x > 1) { x = x / 2; } return x; }',
        // Marked twice: one conversion.
        'const d = toGraph(fourth);',
        'const e = convert({ strict: true })(function fifth(x) { return x * 2; });',
        'const f = autograph.toGraph(function sixth(x) { return x; });',
        'class Model { @convert() step(x) { return x > 0 ? x : 0; } }',
        'function unmarked(x) { return x; }',
      ].join('\n'),
    )!;
    expect(out.warnings).to.deep.equal([]);
    expect(registered(out.code).sort()).to.deep.equal(
      ['b', 'first', 'fifth', 'fourth', 'sixth', 'step', 'third'].sort(),
    );
    // The decorator is gone (applied from a static block), so the output parses without decorator support.
    expect(out.code).to.not.include('@convert');
    expect(out.code).to.match(/static \{ ag\$registerMethod\(this, "step", false, convert\(\), \{/);
    expect(() => parseModuleCode(out.code)).to.not.throw();
    // The helpers are imported first.
    expect(out.code.split('\n')[0]).to.match(
      /^import \{ registerBuilt as ag\$register, registerMethod as ag\$registerMethod \} from 'tfjs-autograph\/built';/,
    );
    expect(out.code).to.not.include('unmarked, {');
  });

  it('converts the methods that a converted method calls on `this`, registered without a decorator', () => {
    const out = transform(
      [
        "import { convert } from 'tfjs-autograph';",
        'class Model {',
        '  @convert() step(x) { return this.clip(x) + this.other; }',
        '  clip(x) { return x > 1 ? 1 : x; }',
        '  static clip(x) { return x; }',
        '}',
      ].join('\n'),
    )!;
    expect(registered(out.code).sort()).to.deep.equal(['clip', 'step']);
    // A computed name is not one the build can register by: the module passes through untouched, the
    // decorator with it, for run time.
    expect(
      transform(
        "import { convert } from 'tfjs-autograph';\nconst k = 'run';\nclass M { @convert() [k](x) { return x; } }\n",
      ),
    ).to.equal(undefined);
    expect(out.code).to.match(/ag\$registerMethod\(this, "clip", false, undefined, \{/);
    expect(out.code).to.match(/ag\$registerMethod\(this, "step", false, convert\(\), \{/);
  });

  it('passes a module with nothing marked and nothing exported through untouched', () => {
    expect(transform("import * as tf from '@tensorflow/tfjs';\nconst x = tf.scalar(1);\nfunction f() {}\n")).to.equal(
      undefined,
    );
  });

  it("exports each exported function's conversion as plain data for importers, without importing the library", () => {
    const out = transform(
      [
        'export function helper(n) { if (n > 0) { return n; } return -n; }',
        'export { helper as alias };',
        // Object methods inside an exported function stay methods.
        'export function visitor() { return { enter(n) { return n > 0 ? n : 0; }, get size() { return 1; } }; }',
      ].join('\n'),
    )!;
    expect(out.warnings).to.deep.equal([]);
    // A module that marks nothing imports nothing: a bundle that never calls these drops them, and tf with them.
    expect(out.code).to.not.include('tfjs-autograph');
    expect(out.code).to.match(/^export const helper\$autograph = \[helper, \{$/m);
    expect(out.code).to.include('export const alias$autograph = helper$autograph;');
    expect(out.code).to.match(/^export const visitor\$autograph = \[visitor, \{$/m);
    expect(() => parseModuleCode(out.code)).to.not.throw();
  });

  it('keeps a hashbang first, leaves CommonJS alone, and says which marks it cannot take', () => {
    const marked =
      "import { toGraph } from 'tfjs-autograph';\nexport const g = toGraph(function g(n) { return n; });\n";
    expect(transform(`#!/usr/bin/env node\n${marked}`)!.code).to.match(
      /^#!\/usr\/bin\/env node\nimport \{ registerBuilt/,
    );
    const commonjs =
      "const { toGraph } = require('tfjs-autograph');\n/* @autograph */\nfunction g(n) { return n; }\nmodule.exports = toGraph(g);\n";
    const out = transform(commonjs)!;
    expect(out.code).to.equal(commonjs);
    expect(out.warnings[0]).to.match(/^src\/app\.js: not converted at build time, since it is a CommonJS module/);
    const nested = transform(
      [
        "import { toGraph } from 'tfjs-autograph';",
        'export const outer = toGraph(function outer(n) {',
        '  const inner = toGraph(function inner(m) { return m; });',
        '  return inner(n);',
        '});',
        '/* @autograph */',
        'export default function (x) { return x; }',
      ].join('\n'),
    )!;
    expect(registered(nested.code)).to.deep.equal(['outer']);
    expect(nested.warnings).to.deep.equal([
      'src/app.js: the function after the @autograph comment on line 7 is not converted at build time: only a ' +
        'named function at the top level of the module can be (give it a name, or move it there).',
      'src/app.js: inner (line 3) is marked inside outer, which is converted as a whole: move it out of the ' +
        'function to convert it at build time.',
    ]);
  });

  it('converts the module functions that converted code calls, and imports the conversions of imported ones', () => {
    inTempDir((dir) => {
      writeFileSync(join(dir, 'helpers.js'), 'export function halve(n) { return n % 2 === 0 ? n / 2 : 3 * n + 1; }\n');
      const out = transformAt(dir, [
        "import { toGraph } from 'tfjs-autograph';",
        "import { halve } from './helpers.js';",
        'const local = (n) => (n > 1 ? n - 1 : n);',
        'export const g = toGraph(function g(n) { return local(halve(n)); });',
      ]);
      expect(out.warnings).to.deep.equal([]);
      expect(registered(out.code).sort()).to.deep.equal(['g', 'local']);
      expect(out.code).to.include('import { halve$autograph as ag$halve } from "./helpers.js";');
      // Registered as the module starts, before anything of it runs.
      expect(out.code).to.include('\nag$registerExported(ag$halve);\n');
    });
  });

  it('follows re-exports to the module that defines a callee, and imports its conversion from there', () => {
    inTempDir((dir) => {
      mkdirSync(join(dir, 'lib'));
      writeFileSync(
        join(dir, 'lib', 'math.js'),
        'export function halve(n) { return n / 2; }\nexport function twice(n) { return 2 * n; }\n',
      );
      writeFileSync(
        join(dir, 'lib', 'index.js'),
        "export * from './math.js';\nexport { twice as double } from './math.js';\n",
      );
      writeFileSync(join(dir, 'more.js'), "import { halve } from './lib/index.js';\nexport { halve as half };\n");
      const out = transformAt(dir, [
        "import { toGraph } from 'tfjs-autograph';",
        "import { halve, double } from './lib/index.js';",
        "import { half } from './more.js';",
        'export const g = toGraph(function g(n) { return halve(double(half(n))); });',
      ]);
      expect(out.warnings).to.deep.equal([]);
      expect(out.code).to.include('import { halve$autograph as ag$halve } from "./lib/math.js";');
      expect(out.code).to.include('import { twice$autograph as ag$twice } from "./lib/math.js";');
      expect(out.code).not.to.include('ag$halve_1');
    });
  });

  it('takes the files the bundler resolved bare imports to, and hands on the callees of exported functions', () => {
    inTempDir((dir) => {
      writeFileSync(join(dir, 'steps.js'), 'export function step(n) { return n > 1 ? n - 1 : n; }\n');
      const out = transformModule(
        [
          "import { step } from '#steps';",
          // Exported only: it imports nothing of the library, and hands importers step's conversion with its own.
          'export function walk(n) { while (n > 1) { n = step(n); } return n; }',
        ].join('\n'),
        join(dir, 'app.js'),
        { root: dir, csp: true, resolved: new Map([['#steps', join(dir, 'steps.js')]]) },
      )!;
      expect(out.warnings).to.deep.equal([]);
      expect(out.code).to.not.include('tfjs-autograph');
      // Imported as the module imports it, which the bundler resolves again.
      expect(out.code).to.include('import { step$autograph as ag$step } from "#steps";');
      expect(out.code).to.match(/^export const walk\$autograph = \[walk, \{$/m);
      expect(out.code).to.match(/\}, \[ag\$step\]\];\n$/);
    });
  });

  it('under csp, warns once about each callee the build cannot see, naming it and its caller', () => {
    const code = [
      "import { toGraph } from 'tfjs-autograph';",
      "import { label } from 'some-package';",
      'const made = label.bind(null);',
      'export const g = toGraph(function g(n) { return made(label(n)); });',
      'export function exportedOnly(n) { return label(n); }',
    ].join('\n');
    const out = transform(code, true)!;
    expect(out.warnings).to.have.length(2);
    expect(out.warnings[0]).to.match(
      /^src\/app\.js: made, called from g \(src\/app\.js:4\), is not converted at build time: it is not a function declaration/,
    );
    expect(out.warnings[1]).to.match(
      /label, called from g \(src\/app\.js:4\), is not converted at build time: it comes from 'some-package'/,
    );
    // Without csp, the callees convert at run time when first called: nothing to warn about.
    expect(transform(code, false)!.warnings).to.deep.equal([]);
  });

  it('says so when a marked function cannot be converted, with the reason and the line', () => {
    const out = transform(
      "import { toGraph } from 'tfjs-autograph';\nlet count = 0;\nexport const g = toGraph(function g(n) { count = n; return n; });\n",
      true,
    )!;
    expect(out.warnings).to.have.length(1);
    expect(out.warnings[0]).to.match(
      /^src\/app\.js:3: g is not converted at build time: it assigns to 'count'.* toGraph throws this ConversionError when the module runs\.$/s,
    );
  });

  it('says so when a module that uses the library cannot be parsed, and leaves it as it is', () => {
    const code = "import { toGraph } from 'tfjs-autograph';\nconst f = toGraph((x) => <div>{x}</div>);\n";
    const out = transform(code)!;
    expect(out.code).to.equal(code);
    expect(out.warnings[0]).to.match(/^src\/app\.js: not converted at build time, since it could not be parsed/);
  });

  describe('of TypeScript', () => {
    let stripTypes: TypeStripper;
    before(async () => {
      stripTypes = (await loadTypeStripper())!;
      expect(stripTypes, 'ts-blank-space, a dev dependency').to.be.a('function');
    });
    const typed = [
      "import { toGraph } from 'tfjs-autograph';",
      'type Value = number;',
      'export const g = toGraph(function g(n: Value): Value { return n > 0 ? (n as number) : -n; });',
    ].join('\n');

    it('reads the module with its types blanked out, converts it, and keeps the TypeScript for code frames', () => {
      const out = transformModule(typed, '/project/src/app.ts', { root, csp: true, stripTypes })!;
      expect(out.warnings).to.deep.equal([]);
      expect(registered(out.code)).to.deep.equal(['g']);
      // The module stays TypeScript (the bundler compiles it next); the conversion's source is as written.
      expect(out.code).to.include('type Value = number;');
      expect(out.code).to.include('source: "function g(n: Value): Value { return n > 0 ? (n as number) : -n; }"');
    });

    it('says what to install when no type stripper is there', () => {
      const out = transformModule(typed, '/project/src/app.ts', { root, csp: true })!;
      expect(out.code).to.equal(typed);
      expect(out.warnings).to.deep.equal([
        'src/app.ts: not converted at build time, since reading TypeScript needs ts-blank-space, which is not ' +
          'installed (npm install --save-dev ts-blank-space). Its functions convert when they are first called, ' +
          'which needs `new Function`.',
      ]);
    });

    it('names the syntax that only a compiler turns into code (an enum), and leaves the module as it is', () => {
      const code = `${typed}\nenum Mode { Fast, Slow }\n`;
      const out = transformModule(code, '/project/src/app.ts', { root, csp: true, stripTypes })!;
      expect(out.code).to.equal(code);
      expect(out.warnings[0]).to.match(
        /^src\/app\.ts: not converted at build time, since it uses TypeScript syntax that has no JavaScript of its own \(enum Mode/,
      );
    });
  });

  it('checks its options with messages that say what to pass', () => {
    expect(() => autographPlugin.esbuild({ cps: true } as never)).to.throw(
      TypeError,
      "unknown option 'cps'; the options are csp, include and root",
    );
    expect(() => autographPlugin.esbuild({ csp: 'yes' } as never)).to.throw(TypeError, 'csp must be true or false');
  });
});
