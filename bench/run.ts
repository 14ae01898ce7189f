// `npm run bench`: every benchmark, each a ratio to a baseline measured in the same run.
import { benchConversion } from './conversion.js';
import { benchPlainLoops } from './plain_loop.js';

async function main(): Promise<void> {
  await benchPlainLoops();
  await benchConversion();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
