// Effects analysis: which functions the runtime may abandon part-way and run again from the start.
import { parse } from 'acorn';
import { expect } from 'chai';
import type * as ESTree from 'estree';
import { isRestartable } from '../../lib/analysis/effects.js';
import { analyzeScopes } from '../../lib/analysis/scopes.js';

function restartable(source: string): boolean {
  const program = parse(`(${source})`, { ecmaVersion: 'latest', locations: true }) as unknown as ESTree.Program;
  const fn = (program.body[0] as ESTree.ExpressionStatement).expression as ESTree.FunctionExpression;
  return isRestartable(fn, analyzeScopes(fn));
}

describe('effects analysis', () => {
  it('allows writes to arrays, objects and collections the function made itself', () => {
    expect(restartable('function f(n) { const a = []; a.push(n); a[0] += 1; a.length = 1; return a; }')).to.equal(true);
    expect(restartable('function f(n) { const a = new Array(n).fill(0); a[1]++; return a.slice(1); }')).to.equal(true);
    expect(
      restartable('function f(n) { let m = new Map(); m.set(1, n); const o = {}; o.x = n; return [m, o]; }'),
    ).to.equal(true);
  });

  it('counts writes to anything else as effects', () => {
    const effects = [
      'function f(a) { a.push(1); }',
      'function f(a) { a[0] = 1; }',
      'function f(a) { const b = a; b[0] = 1; }',
      'function f(a) { let b = []; b = a; b.push(1); }',
      'function f(a) { const o = { inner: a }; o.inner.x = 1; }',
      'function f(g) { const o = { g }; o.g(); }',
      'function f() { const a = []; a.customMethod(); }',
      'function f() { return new Foo(); }',
      'function f() { const Array = Foo; return new Array(); }',
      'function f(a) { a.count++; }',
    ];
    for (const source of effects) expect(restartable(source), source).to.equal(false);
  });
});
