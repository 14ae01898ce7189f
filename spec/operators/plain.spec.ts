// The plain clone: plain values run synchronously, and a run that meets a tensor restarts staged without a trace.
import { expect } from 'chai';
import { toGraph } from '../../lib/index.js';
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
