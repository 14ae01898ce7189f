// The package's CommonJS entries: require() loads the ES modules where Node can, and says to import them where it cannot.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a CommonJS file inside the package (so that 'tfjs-autograph' names the package itself) with `flags`. */
function requireInNode(code: string, flags: string[] = []) {
  const scratch = join(root, 'artifacts', 'tmp');
  mkdirSync(scratch, { recursive: true });
  const file = join(mkdtempSync(join(scratch, 'require-')), 'check.cjs');
  writeFileSync(file, code);
  return spawnSync(process.execPath, [...flags, file], { encoding: 'utf8', timeout: 60_000 });
}

describe('the package entries', function () {
  this.timeout(60_000);

  before(function () {
    // The entries load the built files; `npm test` builds before the specs run.
    if (!existsSync(join(root, 'dist', 'index.js'))) this.skip();
  });

  it("require('tfjs-autograph') gives the ES module's exports, in Node versions that require() ES modules", () => {
    const run = requireInNode(`
      const { toGraph, autograph } = require('tfjs-autograph');
      const { setupNodeWebGPU } = require('tfjs-autograph/node-webgpu');
      console.log([typeof toGraph, typeof autograph.doNotConvert, typeof setupNodeWebGPU].join(' '));
    `);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n').pop()).to.equal('function function function');
  });

  it('says to use import where Node cannot require() ES modules', () => {
    const run = requireInNode(
      `
      try {
        require('tfjs-autograph');
      } catch (error) {
        console.log(error.message);
      }
    `,
      // How Node 20.19+ behaves as older versions do.
      ['--no-experimental-require-module'],
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('is an ES module package').and.contain("import { toGraph } from 'tfjs-autograph'");
  });
});
