// Two copies of tfjs-core in one process (the library installed by path): one warning at import, naming the fix.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { warnIfAnotherTfjs } from '../../lib/platform/tfjs_copies.js';

const library = fileURLToPath(new URL('../../lib/index.ts', import.meta.url));

describe('a second copy of tfjs', function () {
  this.timeout(120_000);

  it('is not reported when there is one', () => {
    expect(warnIfAnotherTfjs()).to.equal(false);
  });

  it('loaded before the library is reported once, with the install that avoids it', () => {
    // A copy of tfjs-core's Node bundle in another folder is another module instance, as a path install
    // gives; inside the project, so that it resolves tfjs-core's own dependencies.
    const scratch = fileURLToPath(new URL('../../artifacts/tmp', import.meta.url));
    mkdirSync(scratch, { recursive: true });
    const dir = mkdtempSync(join(scratch, 'copies-'));
    const core = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json'));
    const copy = join(dir, 'node_modules', '@tensorflow', 'tfjs-core');
    mkdirSync(join(copy, 'dist'), { recursive: true });
    copyFileSync(join(core, 'package.json'), join(copy, 'package.json'));
    copyFileSync(join(core, 'dist', 'tf-core.node.js'), join(copy, 'dist', 'tf-core.node.js'));
    const file = join(dir, 'check.mts');
    writeFileSync(
      file,
      `
      import { createRequire } from 'node:module';
      createRequire(import.meta.url)(${JSON.stringify(copy)});
      const { toGraph } = await import(${JSON.stringify(library)});
      // Later calls do not warn again.
      await import(${JSON.stringify(fileURLToPath(new URL('../../lib/platform/tfjs_copies.ts', import.meta.url)))})
        .then((m) => m.warnIfAnotherTfjs());
      console.log(typeof toGraph);
    `,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n').pop()).to.equal('function');
    const warnings = run.stderr.split('\n').filter((line) => line.includes('two copies of @tensorflow/tfjs'));
    expect(warnings, run.stderr).to.have.length(1);
    expect(warnings[0]).to.contain('npm install --install-links').and.contain('npm pack');
  });
});
