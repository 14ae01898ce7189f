// The Rollup plugin: `import autograph from 'tfjs-autograph/rollup'`, then `plugins: [autograph()]`.

import { autographPlugin, type AutographPluginOptions } from './plugin.js';

export type { AutographPluginOptions };
export default autographPlugin.rollup;
