// The TypeScript examples of the docs compile under strict, each as a module of its own that imports the library by its package name.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The ```ts blocks of a doc that are whole modules; a block with `...` in it is a sketch. */
function examplesOf(doc: string): string[] {
  const text = readFileSync(join(root, 'docs', doc), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => !block.includes('...'));
}

describe('the TypeScript examples of the docs', function () {
  this.timeout(120_000);

  it('compile under strict, docs/calls.md and docs/guide.md among them', () => {
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
    const examples = docs.flatMap((doc) => examplesOf(doc).map((code, k) => ({ doc, k, code })));
    expect(examples.filter((e) => e.doc === 'calls.md')).to.have.length.greaterThan(0);
    expect(examples.filter((e) => e.doc === 'guide.md')).to.have.length.greaterThan(0);
    // Inside the project (its package.json makes them ES modules, for top-level await; its node_modules
    // give tfjs), with 'tfjs-autograph' mapped to the sources.
    const scratch = join(root, 'artifacts', 'tmp');
    mkdirSync(scratch, { recursive: true });
    const dir = mkdtempSync(join(scratch, 'docs-'));
    const files = examples.map(({ doc, k, code }) => {
      const file = join(dir, `${doc.replace(/\.md$/, '')}_${k}.ts`);
      // Each a module, also where it imports nothing.
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: ['node', '@webgpu/types'],
      baseUrl: root,
      paths: { 'tfjs-autograph': ['lib/index.ts'] },
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.includes(d.file.fileName) || d.file.fileName.startsWith(dir))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const name = d.file ? d.file.fileName.slice(dir.length + 1) : '';
        return `${name}:${where ? where.line + 1 : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(errors).to.deep.equal([]);
  });
});
