// The Node WebGPU helper: it gives a working backend, says what is missing, and specs cannot read synchronously.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, describeWithBackends, isSoftwareWebGPU } from '../helpers/backends.js';

const helper = fileURLToPath(new URL('../../lib/platform/webgpu_node.ts', import.meta.url));
const webgpuAvailable = BACKENDS.some((backend) => backend.name === 'webgpu' && backend.unavailable === undefined);

/**
 * Runs a module in a fresh Node process (the helper sets globals once per process), with tsx for
 * TypeScript. The module lives inside the project so that it resolves the project's packages.
 */
function runInNode(code: string, env: NodeJS.ProcessEnv = process.env) {
  const scratch = fileURLToPath(new URL('../../artifacts/tmp', import.meta.url));
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'webgpu-'));
  const file = join(dir, 'check.mts');
  writeFileSync(file, code);
  return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', env, timeout: 120_000 });
}

describe('setupNodeWebGPU', function () {
  this.timeout(120_000);

  it('makes webgpu the backend in a fresh process, as the README shows', function () {
    if (!webgpuAvailable) this.skip();
    const run = runInNode(`
      import * as tf from '@tensorflow/tfjs';
      import { setupNodeWebGPU } from ${JSON.stringify(helper)};
      const info = await setupNodeWebGPU();
      const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
      console.log(JSON.stringify({ backend: tf.getBackend(), values: Array.from(await sum.data()), info }));
    `);
    expect(run.status, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { backend: string; values: number[] };
    expect(result.backend).to.equal('webgpu');
    expect(result.values).to.deep.equal([4, 6]);
  });

  it('names what is missing when there is no GPU and no SwiftShader driver', function () {
    // Only meaningful where no hardware adapter exists; with a GPU the helper never needs SwiftShader.
    if (!isSoftwareWebGPU) this.skip();
    const env = { ...process.env };
    delete env.VK_ICD_FILENAMES;
    const run = runInNode(
      `
      import { setupNodeWebGPU } from ${JSON.stringify(helper)};
      try {
        await setupNodeWebGPU({ swiftShaderIcd: '/nonexistent/vk_swiftshader_icd.json' });
        console.log('no error');
      } catch (error) {
        console.log(error.message);
      }
    `,
      env,
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('No WebGPU adapter').and.contain('apt-get install -y chromium libvulkan1');
  });

  it("names tfjs's WebGPU backend and how to install it when that package is missing", function () {
    if (!webgpuAvailable) this.skip();
    // A resolve hook makes the package missing, as in a project that did not install it.
    const hooks =
      'data:text/javascript,' +
      encodeURIComponent(`
        export async function resolve(specifier, context, next) {
          if (specifier !== '@tensorflow/tfjs-backend-webgpu') return next(specifier, context);
          const error = new Error("Cannot find package '@tensorflow/tfjs-backend-webgpu' imported from " + context.parentURL);
          error.code = 'ERR_MODULE_NOT_FOUND';
          throw error;
        }
      `);
    const run = runInNode(`
      import { register } from 'node:module';
      register(${JSON.stringify(hooks)});
      const { setupNodeWebGPU } = await import(${JSON.stringify(helper)});
      try {
        await setupNodeWebGPU();
        console.log('no error');
      } catch (error) {
        console.log(error.message);
      }
    `);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout)
      .to.contain("'@tensorflow/tfjs-backend-webgpu'")
      .and.contain('npm install @tensorflow/tfjs-backend-webgpu');
  });
});

describeWithBackends('synchronous reads', (backend) => {
  it(backend === 'webgpu' ? 'fail in the specs on webgpu' : 'work on cpu', () => {
    const t = tf.add(tf.scalar(1), tf.scalar(2));
    if (backend === 'webgpu') expect(() => t.dataSync()).to.throw('await t.data()');
    else expect(t.dataSync()[0]).to.equal(3);
    t.dispose();
  });
});
