// The package as a project installs it: packed, installed from the tarball in a new folder, imported, run on WebGPU, type-checked under strict.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from './helpers/backends.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const webgpuUnavailable = BACKENDS.find((backend) => backend.name === 'webgpu')?.unavailable;

/** The version of a package this project installed, so that the new project gets the same. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;

const COLLATZ = `
import * as tf from '@tensorflow/tfjs';
import { autograph, toCode, toGraph } from 'tfjs-autograph';
import { setupNodeWebGPU } from 'tfjs-autograph/node-webgpu';

function collatz(n) {
  let steps = 0;
  while (n != 1) {
    if (n % 2 == 0) n = Math.floor(n / 2);
    else n = 3 * n + 1;
    steps += 1;
  }
  return steps;
}

const onWebGPU = process.argv[2] === 'webgpu';
if (onWebGPU) await setupNodeWebGPU();
const n = tf.scalar(27, 'int32');
const steps = await toGraph(collatz)(n);
console.log(JSON.stringify({
  backend: tf.getBackend(),
  steps: (await steps.data())[0],
  converted: toCode(collatz).includes('ag__.whileStmt'),
  namespace: typeof autograph.doNotConvert,
}));
`;

/** A strict TypeScript file as a user writes it: toGraph, toCode and a @convert() method, typed on numbers. */
const TYPED = `
import * as tf from '@tensorflow/tfjs';
import { convert, toCode, toGraph, type GraphFunction } from 'tfjs-autograph';
import { setupNodeWebGPU } from 'tfjs-autograph/node-webgpu';

function huber(a: number, delta: number): number {
  return Math.abs(a) <= delta ? (a * a) / 2 : delta * (Math.abs(a) - delta / 2);
}

class Counter {
  count = 0;

  @convert()
  async run(n: number): Promise<number> {
    for (let i = 0; i < n; i++) this.count++;
    return this.count;
  }
}

export async function main(): Promise<void> {
  const { software } = await setupNodeWebGPU({ setBackend: false });
  const g: GraphFunction<typeof huber> = toGraph(huber);
  const onNumbers: number = await g(3, 1);
  const onTensor: number | tf.Tensor = await g(tf.scalar(3), 1);
  // @ts-expect-error a string is neither a number nor a tensor (were the types any, this would not fail)
  await g('3', 1);
  const code: string = toCode(huber);
  const counted: number = await new Counter().run(3);
  console.log(software, onNumbers, onTensor, code.length, counted);
}
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    noEmit: true,
    // tfjs's own declarations do not pass a full check: the errors in them are left out below instead.
    skipLibCheck: false,
    types: [],
  },
  files: ['check.ts'],
};

describe('the package, installed from its tarball in a new project', function () {
  this.timeout(300_000);
  let project: string;
  const node = (args: string[]) =>
    spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 120_000 });

  before(function () {
    // `npm test` builds dist/ before the specs; the tarball is what `npm pack` makes of it.
    if (!existsSync(join(root, 'dist', 'index.js'))) expect.fail('dist/ is missing: run npm run build first');
    project = mkdtempSync(join(tmpdir(), 'autograph-consumer-'));
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    // From the registry, or npm's cache where the project's own install filled it.
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(project, tarball),
        `@tensorflow/tfjs@${installed('@tensorflow/tfjs')}`,
        `@tensorflow/tfjs-backend-webgpu@${installed('@tensorflow/tfjs-backend-webgpu')}`,
        `webgpu@${installed('webgpu')}`,
      ],
      { cwd: project, stdio: 'pipe', timeout: 240_000 },
    );
    writeFileSync(join(project, 'collatz.mjs'), COLLATZ);
    writeFileSync(join(project, 'check.ts'), TYPED);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  });

  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('imports the main entry and runs the README Collatz on cpu', () => {
    const run = node(['collatz.mjs', 'cpu']);
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).to.deep.equal({
      backend: 'cpu',
      steps: 111,
      converted: true,
      namespace: 'function',
    });
  });

  it('imports tfjs-autograph/node-webgpu and runs the Collatz on webgpu', function () {
    if (webgpuUnavailable !== undefined) {
      if (process.env.CI === 'true') expect.fail(`webgpu is unavailable on CI: ${webgpuUnavailable}`);
      console.log(`      skipped: webgpu is unavailable here (${webgpuUnavailable})`);
      this.skip();
    }
    const run = node(['collatz.mjs', 'webgpu']);
    expect(run.status, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { backend: string; steps: number };
    expect([result.backend, result.steps]).to.deep.equal(['webgpu', 111]);
  });

  it('ships the sources its source maps point to', () => {
    const map = JSON.parse(
      readFileSync(join(project, 'node_modules', 'tfjs-autograph', 'dist', 'index.js.map'), 'utf8'),
    ) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]).to.contain('export const toGraph');
  });

  it('loads with require() too', () => {
    const run = node(['--input-type=commonjs', '-e', "console.log(typeof require('tfjs-autograph').toGraph)"]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n').pop()).to.equal('function');
  });

  it('type-checks a strict TypeScript file that uses toGraph, toCode and @convert()', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const run = node([tsc, '-p', 'tsconfig.json']);
    // Errors in tfjs's own declarations (they need skipLibCheck) are not the package's.
    const errors = run.stdout
      .split('\n')
      .filter((line) => /error TS\d+/.test(line) && !line.startsWith('node_modules/@tensorflow/'));
    expect(errors, run.stdout).to.deep.equal([]);
  });

  for (const [missing, install] of [
    [['@tensorflow', 'tfjs-backend-webgpu'], 'npm install @tensorflow/tfjs-backend-webgpu'],
    [['webgpu'], 'npm install webgpu'],
  ] as const) {
    it(`names ${missing.join('/')} and how to install it when the project lacks it`, function () {
      // Without the webgpu package, nothing would be missing where there is no WebGPU at all.
      if (webgpuUnavailable !== undefined) this.skip();
      const folder = join(project, 'node_modules', ...missing);
      renameSync(folder, `${folder}-away`);
      try {
        const run = node(['collatz.mjs', 'webgpu']);
        expect(run.status).to.not.equal(0);
        expect(run.stderr).to.contain(install);
      } finally {
        renameSync(`${folder}-away`, folder);
      }
    });
  }
});
