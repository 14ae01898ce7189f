// The Vite plugin: `import autograph from 'tfjs-autograph/vite'`, then `plugins: [autograph()]`.

import { autographPlugin, type AutographPluginOptions } from './plugin.js';

export type { AutographPluginOptions };
export default autographPlugin.vite;
