// Analysis: free names, and the state each construct carries (modified and read later or in a later iteration).
import { parse } from 'acorn';
import { expect } from 'chai';
import type * as ESTree from 'estree';
import { walk } from '../../lib/codegen/ast.js';
import { analyze, carriedState } from '../../lib/analysis/index.js';
import { analyzeScopes } from '../../lib/analysis/scopes.js';

function functionOf(source: string): ESTree.FunctionExpression {
  const program = parse(`(${source})`, { ecmaVersion: 'latest', locations: true }) as unknown as ESTree.Program;
  return (program.body[0] as ESTree.ExpressionStatement).expression as ESTree.FunctionExpression;
}

/** The carried state of every construct of `type`, in source order. */
function stateOf(source: string, type: string): string[][] {
  const fn = functionOf(source);
  const analysis = analyze(fn);
  const out: string[][] = [];
  walk(fn as ESTree.Node, {
    enter(node) {
      if (node.type === type) out.push(carriedState(analysis, node).map((binding) => binding.name));
    },
  });
  return out;
}

describe('analysis', () => {
  it('finds free names, not properties, labels, parameters or locals', () => {
    const fn = functionOf(`function f(a, { b }) {
      const c = a.d + b[e] + { g: h }.g;
      label: for (const i of c) { continue label; }
      function inner(j) { return j + k; }
      return inner(c) + this.m;
    }`);
    expect([...analyzeScopes(fn).free.keys()]).to.deep.equal(['e', 'h', 'k']);
  });

  it('an if carries what it assigns and what is read after it', () => {
    const source = `function f(x) {
      let used = 0, unused = 0, untouched = 1;
      if (x > 0) { used = 1; unused = 2; let local = 3; used = local; }
      return used + untouched;
    }`;
    expect(stateOf(source, 'IfStatement')).to.deep.equal([['used']]);
  });

  it('a loop carries what is read in a later iteration, even if not after the loop', () => {
    const source = `function f(n) {
      let i = 0, acc = 0, temp = 0;
      while (i < n) { temp = i * 2; acc = acc + temp; i = i + 1; }
      return 0;
    }`;
    expect(stateOf(source, 'WhileStatement')).to.deep.equal([['i', 'acc']]);
  });

  it('a value overwritten before it is read is not carried', () => {
    const source = `function f(n) {
      let x = 0;
      if (n) { x = 1; }
      x = 5;
      return x;
    }`;
    expect(stateOf(source, 'IfStatement')).to.deep.equal([[]]);
  });

  it('a for loop carries its let counter, and nested loops carry their own state', () => {
    const source = `function f(n) {
      let total = 0;
      for (let i = 0; i < n; i++) { for (let j = 0; j < i; j++) { total = total + j; } }
      return total;
    }`;
    expect(stateOf(source, 'ForStatement')).to.deep.equal([
      ['total', 'i'],
      ['total', 'j'],
    ]);
  });

  it('variables that closures read count as live', () => {
    const source = `function f(n) {
      let x = 0;
      const read = () => x;
      if (n) { x = 1; }
      x = 2;
      return read;
    }`;
    expect(stateOf(source, 'IfStatement')).to.deep.equal([['x']]);
  });
});
