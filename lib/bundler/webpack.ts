// The webpack plugin: `import autograph from 'tfjs-autograph/webpack'`, then `plugins: [autograph()]`.

import { autographPlugin, type AutographPluginOptions } from './plugin.js';

export type { AutographPluginOptions };
export default autographPlugin.webpack;
