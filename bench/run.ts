// `npm run bench`: every benchmark, each a ratio to a baseline measured in the same run.
import { benchConversion } from './conversion.js';
import { benchPlainLoops } from './plain_loop.js';
import { benchYielding } from './yielding.js';

async function main(): Promise<void> {
  await benchPlainLoops();
  await benchConversion();
  await benchYielding();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
