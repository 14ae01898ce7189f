// Golden fixtures: each fixture's functions convert to exactly the expected code, and behave as the originals.
//
// Set UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StagingError, toCode, toGraph } from '../../lib/index.js';
import { describeWithBackends, expectNoLeaks, valueOf } from '../helpers/backends.js';
import { GraphRuns } from '../helpers/graph_mode.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixturesDir = join(here, 'fixtures');
const update = process.env.UPDATE_GOLDEN === '1';

type AnyFunction = (...args: unknown[]) => unknown;
interface Fixture {
  name: string;
  functions: [string, AnyFunction][];
  cases: Record<string, unknown[][]>;
  /** Functions that must fail on tensors, with a part of the documented message. */
  tensorErrors: Record<string, string>;
}

/** One folder per case, grouped by construct: `fixtures/<construct>/<case>/`. */
const fixtureNames = readdirSync(fixturesDir)
  .sort()
  .flatMap((group) =>
    readdirSync(join(fixturesDir, group))
      .sort()
      .map((name) => `${group}/${name}`),
  );

const fixtures: Fixture[] = await Promise.all(
  fixtureNames.map(async (name) => {
    const module = (await import(join(fixturesDir, name, 'input.js'))) as Record<string, unknown>;
    const functions = Object.entries(module).flatMap(([key, value]): [string, AnyFunction][] => {
      if (typeof value === 'function') return [[key, value as AnyFunction]];
      // A method on an exported object, such as `receiver.shift`.
      if (value && typeof value === 'object' && key !== 'cases' && key !== 'tensorErrors') {
        return Object.entries(value).filter(([, v]) => typeof v === 'function') as [string, AnyFunction][];
      }
      return [];
    });
    return {
      name,
      functions,
      cases: (module.cases ?? {}) as Record<string, unknown[][]>,
      tensorErrors: (module.tensorErrors ?? {}) as Record<string, string>,
    };
  }),
);

const dtypeOf = (values: number[]) => (values.every(Number.isInteger) ? 'int32' : 'float32');
const isNumbers = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number');

/**
 * A number argument, or an array of numbers, as the tensor a user would pass: int32 when every value is
 * an integer, float32 otherwise.
 */
const asTensor = (value: unknown) =>
  typeof value === 'number'
    ? tf.scalar(value, dtypeOf([value]))
    : isNumbers(value)
      ? tf.tensor1d(value, dtypeOf(value))
      : value;

async function plainValue(value: unknown, inputs: unknown[]): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((item) => plainValue(item, inputs)));
  return valueOf(value, inputs);
}

function expectClose(actual: unknown, expected: unknown, label: string): void {
  if (Array.isArray(expected)) {
    expect(actual, label).to.be.an('array').with.length(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, `${label}[${i}]`));
  } else if (typeof expected === 'number' && Number.isFinite(expected)) {
    expect(actual, label).to.be.closeTo(expected, 1e-5);
  } else {
    expect(actual, label).to.deep.equal(expected);
  }
}

/** Compares `code` with the fixture file `file`, or writes it there under UPDATE_GOLDEN=1. */
function expectGolden(fixture: Fixture, file: string, code: string): void {
  const expectedPath = join(fixturesDir, fixture.name, file);
  if (update || !existsSync(expectedPath)) {
    if (!update) expect.fail(`${expectedPath} is missing; run with UPDATE_GOLDEN=1 and review it.`);
    writeFileSync(expectedPath, code);
  }
  expect(code).to.equal(readFileSync(expectedPath, 'utf8'));
}

describe('converter golden fixtures', () => {
  for (const fixture of fixtures) {
    it(`${fixture.name}: the staged code matches expected.js`, () => {
      expectGolden(fixture, 'expected.js', fixture.functions.map(([, fn]) => toCode(fn)).join('\n\n') + '\n');
    });
    // The plain clone is what runs on numbers: every function that is neither async nor a generator has one.
    const withClone = fixture.functions.filter(
      ([, fn]) => !['AsyncFunction', 'GeneratorFunction'].includes(fn.constructor.name),
    );
    if (withClone.length > 0) {
      it(`${fixture.name}: the plain clone matches expected.plain.js`, () => {
        const code = withClone.map(([, fn]) => toCode(fn, { plain: true })).join('\n\n') + '\n';
        expectGolden(fixture, 'expected.plain.js', code);
      });
    }
  }
});

describeWithBackends('converted fixtures behave as the originals', () => {
  const graphRuns = new GraphRuns();
  after(() => console.log(`    ${graphRuns.summary()}`));
  for (const fixture of fixtures) {
    for (const [name, fn] of fixture.functions) {
      const cases = fixture.cases[name];
      if (!cases) continue;
      it(`${fixture.name}/${name} on plain values`, async () => {
        const converted = toGraph(fn);
        for (const args of cases) {
          expect(await converted(...args), `${name}(${args.join(', ')})`).to.deep.equal(await fn(...args));
        }
      });
      it(`${fixture.name}/${name} on tensors`, async () => {
        const converted = toGraph(fn);
        for (const args of cases) {
          const expected = await fn(...args);
          const tensors = args.map(asTensor);
          const run = () => converted(...tensors);
          const documentedError = fixture.tensorErrors[name];
          if (documentedError !== undefined) {
            const error = await run().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error, `${name} with tensors`).to.be.instanceOf(StagingError);
            expect((error as Error).message).to.contain(documentedError);
          } else {
            // Twice: the first call with a signature traces, the second replays the graph.
            for (const time of ['first', 'second']) {
              const actual = await expectNoLeaks(async () => plainValue(await run(), tensors));
              expectClose(actual, expected, `${name}(${args.join(', ')}), ${time} call`);
              graphRuns.check(converted.lastRun, `${name}(${args.join(', ')}), ${time} call`);
            }
          }
          tf.dispose(tensors.filter((t): t is tf.Tensor => t instanceof tf.Tensor));
        }
      });
    }
  }
});
