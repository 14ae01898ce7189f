// The module graph of lib/: no import cycles, and each layer imports only the layers beneath it.
import { expect } from 'chai';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** What each folder of lib/ may import from lib/ (besides itself and lib/errors.ts). */
const ALLOWED: Record<string, readonly string[]> = {
  // AST helpers, builders and generation: the bottom layer, which every other one may use.
  codegen: [],
  parse: ['codegen'],
  // The language tooling knows nothing of tfjs or the runtime.
  analysis: ['codegen', 'parse'],
  converters: ['analysis', 'codegen', 'parse'],
  operators: ['analysis'],
  // Kernels tfjs runs for graphs (fused elementwise kernels), by backend.
  kernels: ['operators'],
  // Graph mode records and replays what the operators run, and fuses kernels.
  graph: ['analysis', 'kernels', 'operators'],
  api: ['analysis', 'codegen', 'converters', 'graph', 'kernels', 'operators', 'parse'],
  platform: [],
  // Build time: the bundler plugin converts functions with the converters, as run time would.
  bundler: ['analysis', 'api', 'codegen', 'converters', 'graph', 'operators', 'parse'],
};

let tree: DependencyTree;

/** The top folder of lib/ a module lives in ('' for lib/index.ts and lib/errors.ts), or undefined outside lib/. */
const layerOf = (id: string): string | undefined => {
  if (!id.startsWith('lib/')) return undefined;
  const [, folder, ...rest] = id.split('/');
  return rest.length > 0 ? folder : '';
};

describe('layering of lib/', () => {
  before(async function () {
    this.timeout(60_000);
    // Type-only imports do not load modules, so they are left out (`transform`).
    tree = await parseDependencyTree(
      ['lib/index.ts', 'lib/platform/webgpu_node.ts', 'lib/built.ts', 'lib/bundler/plugin.ts'],
      {
        context: root,
        cwd: root,
        transform: true,
        skipDynamicImports: false,
        onProgress: () => undefined,
      },
    );
  });

  it('has no import cycles', () => {
    expect(parseCircular(tree).map((cycle) => cycle.join(' -> '))).to.deep.equal([]);
  });

  it('imports only from the layers beneath each module', () => {
    const violations: string[] = [];
    expect(Object.keys(tree).length).to.be.greaterThan(40);
    for (const [issuer, dependencies] of Object.entries(tree)) {
      const from = layerOf(issuer);
      if (from === undefined || from === '' || !dependencies) continue;
      for (const dependency of dependencies) {
        const to = dependency.id ? layerOf(dependency.id) : undefined;
        if (to === undefined || to === '' || to === from) continue;
        if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${issuer} imports ${dependency.id}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('keeps the stages of the converter apart: lowering, staged and plain passes import none of each other', () => {
    const stageOf = (id: string) => /^lib\/converters\/(lowering|staged|plain)\//.exec(id)?.[1];
    const crossings = Object.entries(tree).flatMap(([issuer, dependencies]) =>
      (dependencies ?? [])
        .filter((d) => d.id && stageOf(issuer) && stageOf(d.id) && stageOf(d.id) !== stageOf(issuer))
        .map((d) => `${issuer} imports ${d.id}`),
    );
    expect(Object.keys(tree).filter((id) => stageOf(id)).length).to.be.greaterThan(10);
    expect(crossings).to.deep.equal([]);
  });

  it('loads no tfjs while converting: parse, analysis, codegen and converters reach no tfjs module', () => {
    const compileTime = Object.keys(tree).filter((id) =>
      ['parse', 'analysis', 'codegen', 'converters'].includes(layerOf(id) ?? '-'),
    );
    expect(compileTime.length).to.be.greaterThan(20);
    const reached = new Set<string>();
    const visit = (id: string): void => {
      if (reached.has(id)) return;
      reached.add(id);
      for (const dependency of tree[id] ?? []) if (dependency.id) visit(dependency.id);
    };
    compileTime.forEach(visit);
    expect([...reached].filter((id) => id.includes('@tensorflow') || id.startsWith('lib/operators/'))).to.deep.equal(
      [],
    );
  });
});
