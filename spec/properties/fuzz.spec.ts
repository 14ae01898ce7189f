// Fuzz: random mutations of valid programs never crash the converter. Each mutated program that is still
// valid JavaScript either converts (toGraph and toCode succeed) or fails with a ConversionError.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { ConversionError, toCode, toGraph } from '../../lib/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The sources of every fixture function: the programs the mutations start from. */
async function seedSources(): Promise<string[]> {
  const dirs = [join(here, '../converters/fixtures'), join(here, '../reference'), join(here, '../fixtures')];
  const files = dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.js') && !/expected(\.plain)?\.js$/.test(file))
      .map((file) => join(dir, file)),
  );
  const sources = new Set<string>();
  for (const file of files) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'function' && !/^class\b/.test(Function.prototype.toString.call(value))) {
        sources.add(Function.prototype.toString.call(value));
      }
    }
  }
  return [...sources].sort();
}

/** Statements and fragments that probe the converter's edges when dropped into a program. */
const SNIPPETS = [
  'break;', 'continue;', 'return;', 'return x;', 'if (x) {', '}', '{', 'while (x > 0) {', 'do {', '} while (x);',
  'outer:', 'x++;', '--x;', 'throw x;', 'try {', '} catch (e) {', '} finally {', 'switch (x) { case 1:', 'default:',
  'for (const k in x) {', 'for (const k of x) {', 'for (let i = 0; i < x; i++) {', 'yield 1;', 'await x;',
  'arguments;', 'this.y = 1;', 'x[0] += 1;', 'x.y.z = 2;', 'const f = () => { if (f) return 1; };', 'var v = 1;',
  'function h() { return h; }', 'const [a1, b1] = [1, 2];', 'x ??= 3;', 'x ||= 1;', 'new.target;', 'super.x;',
  'eval("1");', 'delete x.y;', 'typeof x;', 'void 0;', '`${x}`;', 'class C {}', 'debugger;', 'x = x ? 1 : 2;',
  'label: for (;;) { break label; }', 'let x = 1;', 'x = (a, b) => a + b;', 'x = [...x];', 'x = { ...x };',
  'console.log(x);', 'autograph.assert(x);', 'Math.max(x, 1);', 'x = x ** 2 | 1;', 'x?.y?.();', 'new Map();',
]; // prettier-ignore

const mutation = (lineCount: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(lineCount), text: fc.constantFrom(...SNIPPETS) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(lineCount), count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(lineCount) }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat(lineCount), other: fc.nat(lineCount) }),
  );

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; count: number }
  | {
      kind: 'duplicate';
      at: number;
    }
  | { kind: 'swap'; at: number; other: number };

function apply(source: string, mutations: Mutation[]): string {
  const lines = source.split('\n');
  for (const m of mutations) {
    // The first and last lines hold the function's head and closing brace: mutate what is between.
    const at = 1 + (m.at % Math.max(1, lines.length - 1));
    if (m.kind === 'insert') lines.splice(at, 0, m.text);
    else if (m.kind === 'delete' && lines.length > 3) lines.splice(at, Math.min(m.count, lines.length - at - 1));
    else if (m.kind === 'duplicate') lines.splice(at, 0, lines[at] ?? '');
    else if (m.kind === 'swap') {
      const other = 1 + (m.other % Math.max(1, lines.length - 2));
      [lines[at], lines[other]] = [lines[other]!, lines[at]!];
    }
  }
  return lines.join('\n');
}

describe('fuzz: mutated programs', () => {
  it('convert or fail with a ConversionError, never with an internal error', async function () {
    this.timeout(120_000);
    const sources = await seedSources();
    expect(sources.length).to.be.above(100);
    let converted = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat(sources.length - 1)
          .chain((i) =>
            fc.tuple(
              fc.constant(sources[i]!),
              fc.array(mutation(sources[i]!.split('\n').length), { minLength: 1, maxLength: 3 }),
            ),
          ),
        async ([source, mutations]) => {
          const mutated = apply(source, mutations);
          let fn: unknown;
          try {
            fn = new Function(`return (${mutated}\n);`)();
          } catch {
            return; // not JavaScript any more: nothing to convert
          }
          if (typeof fn !== 'function') return;
          try {
            toGraph(fn as (...args: unknown[]) => unknown, { scope: {} });
            toCode(fn as (...args: unknown[]) => unknown);
            converted++;
          } catch (error) {
            if (!(error instanceof ConversionError)) {
              throw new Error(`internal error ${String(error)} converting:\n${mutated}`, { cause: error });
            }
            rejected++;
          }
        },
      ),
      { numRuns: 1500, seed: 2026_11_25 },
    );
    // The mutations must leave many programs valid, or the spec would test little.
    expect(converted + rejected, `${converted} converted, ${rejected} rejected`).to.be.above(500);
  });
});
