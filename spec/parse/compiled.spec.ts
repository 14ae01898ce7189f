// Functions compiled by tsc and by esbuild convert as written; downlevelled async code is rejected with the fix.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { ConversionError, toGraph } from '../../lib/index.js';
import { describeWithBackends, valueOf } from '../helpers/backends.js';

const SOURCE = `
export function collatz(a: any): any {
  let counter: number = 0;
  const half = (x: any): any => Math.floor(x / 2);
  function triple(x: any): any { return 3 * x + 1; }
  while (a != 1) {
    if (a % 2 == 0) {
      a = half(a);
    } else {
      a = triple(a);
    }
    counter = counter + 1;
  }
  return counter;
}

export async function later(x: any): Promise<any> {
  const y: any = await Promise.resolve(x);
  return y * 2;
}
`;

type Compiled = { collatz: (a: unknown) => unknown; later: (x: unknown) => Promise<unknown> };

async function importCode(code: string): Promise<Compiled> {
  return (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as Compiled;
}

const withTsc = (target: ts.ScriptTarget) =>
  ts.transpileModule(SOURCE, { compilerOptions: { target, module: ts.ModuleKind.ES2022 } }).outputText;
const withEsbuild = (target: string) =>
  transformSync(SOURCE, { loader: 'ts', format: 'esm', keepNames: true, target }).code;

describeWithBackends('compiled functions', () => {
  const compilers: [string, () => string][] = [
    ['tsc (target ES2020)', () => withTsc(ts.ScriptTarget.ES2020)],
    ['esbuild with keepNames (target es2022)', () => withEsbuild('es2022')],
  ];
  for (const [title, compile] of compilers) {
    it(`converts code compiled by ${title}`, async () => {
      const code = compile();
      const { collatz, later } = await importCode(code);
      const g = toGraph(collatz);
      expect(await g(27)).to.equal(111);
      const a = tf.scalar(27, 'int32');
      expect(await valueOf(await g(a))).to.equal(111);
      a.dispose();
      expect(await toGraph(later)(4)).to.equal(8);
    });
  }

  it('sees through the __name helpers esbuild adds', async () => {
    const code = withEsbuild('es2022');
    expect(code).to.contain('__name(');
    const { collatz } = await importCode(code);
    expect(Function.prototype.toString.call(collatz)).to.contain('__name(');
    expect(await toGraph(collatz)(6)).to.equal(8);
  });

  it('rejects async code tsc downlevelled into __awaiter, naming the setting to change', async () => {
    const { later } = await importCode(withTsc(ts.ScriptTarget.ES2015));
    expect(() => toGraph(later))
      .to.throw(ConversionError)
      .with.property('fix')
      .that.contains('"target" set to "ES2017" or later');
  });

  it('rejects async code esbuild downlevelled into __async, naming the setting to change', async () => {
    const { later } = await importCode(withEsbuild('es2016'));
    expect(() => toGraph(later)).to.throw(ConversionError, '__async');
  });
});
