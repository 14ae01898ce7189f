// require('tfjs-autograph/node-webgpu'): see esm_only.cjs.
'use strict';
module.exports = require('./esm_only.cjs')('./node-webgpu');
