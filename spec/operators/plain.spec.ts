// The plain clone: plain values run synchronously, and a run that meets a tensor restarts staged without a trace.
import { expect } from 'chai';
import { conversionOf } from '../../lib/api/conversions.js';
import { toGraph } from '../../lib/index.js';
import { consoleCallPlain, endPrintBuffer, startPrintBuffer } from '../../lib/operators/plain.js';
import * as fixtures from '../fixtures/plain_clone.js';
import { captureLog } from '../helpers/console.js';
import { describeWithBackends, expectNoLeaks, valueOf } from '../helpers/backends.js';

describeWithBackends('the plain clone', () => {
  it('a run abandoned for staging prints nothing and frees what it made', async () => {
    const g = toGraph(fixtures.printsThenStages);
    const { result, lines } = await captureLog(() => expectNoLeaks(async () => valueOf(await g(3))));
    expect(result).to.equal(1);
    // Printed once, by the staged run, not also by the abandoned synchronous one.
    expect(lines).to.deep.equal([['start', 3]]);
  });

  it('functions with effects outside themselves are never restarted', async () => {
    const log: string[] = [];
    const g = toGraph(fixtures.mutatesThenStages);
    expect(await valueOf(await g(log, 3))).to.equal(1);
    expect(log).to.deep.equal(['ran']);
  });

  it('writes to arrays the function made itself do not stop the plain clone, and a restart redoes them', async () => {
    const g = toGraph(fixtures.localArrayThenStages);
    expect(await expectNoLeaks(async () => valueOf(await g(3)))).to.equal(41);
    expect(await expectNoLeaks(async () => valueOf(await g(1)))).to.equal(31);
  });

  it('plain runs keep program order between prints and the result', async () => {
    const g = toGraph(fixtures.printsThenStages);
    const { lines } = await captureLog(async () => {
      const out = await g(1);
      console.log('after');
      return valueOf(out);
    });
    expect(lines).to.deep.equal([['start', 1], ['after']]);
  });
});

describe('print buffers of plain runs', () => {
  it('nest: a run inside another adds its lines to the outer run in order, or drops them when it restages', () => {
    const printed: unknown[][] = [];
    const target = { log: (...args: unknown[]) => void printed.push(args) };
    startPrintBuffer();
    consoleCallPlain(target, 'log', ['outer before']);
    startPrintBuffer();
    consoleCallPlain(target, 'log', ['inner kept']);
    endPrintBuffer(true);
    startPrintBuffer();
    consoleCallPlain(target, 'log', ['inner restaged']);
    endPrintBuffer(false);
    consoleCallPlain(target, 'log', ['outer after']);
    // Nothing prints until the outermost run ends.
    expect(printed).to.deep.equal([]);
    endPrintBuffer(true);
    expect(printed).to.deep.equal([['outer before'], ['inner kept'], ['outer after']]);
  });

  it('a function passed by reference to a native method makes the caller run staged, so it never runs twice', async () => {
    const calls: number[] = [];
    function g(v: number) {
      calls.push(v);
      return v * 2;
    }
    function f(x: number) {
      const ys = [1, 2].map(g);
      return x > 0 ? ys : [];
    }
    const converted = toGraph(f, { scope: { g } });
    expect(conversionOf(f).facts.restartable).to.equal(false);
    expect(await converted(1)).to.deep.equal([2, 4]);
    expect(calls).to.deep.equal([1, 2]);
  });
});
