// require('tfjs-autograph'): see esm_only.cjs.
'use strict';
module.exports = require('./esm_only.cjs')('.');
