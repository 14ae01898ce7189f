// The esbuild plugin: `import autograph from 'tfjs-autograph/esbuild'`, then `plugins: [autograph()]`.

import { autographPlugin, type AutographPluginOptions } from './plugin.js';

export type { AutographPluginOptions };
export default autographPlugin.esbuild;
