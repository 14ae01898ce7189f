// The CommonJS entry: tfjs-autograph is ES modules. Node 20.19+ and 22.12+ load them with require(); older
// versions get an error that says how to load the package instead.
'use strict';

const entries = { '.': '../dist/index.js', './node-webgpu': '../dist/platform/webgpu_node.js' };

module.exports = function load(entry) {
  try {
    return require(entries[entry]);
  } catch (error) {
    if (error && (error.code === 'ERR_REQUIRE_ESM' || error.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      const name = entry === '.' ? 'tfjs-autograph' : `tfjs-autograph${entry.slice(1)}`;
      throw new Error(
        `${name} is an ES module package, which this version of Node cannot require(). Load it with ` +
          `import { toGraph } from '${name}', or from CommonJS with const { toGraph } = await import('${name}'). ` +
          'Node 20.19 and later (22.12 and later) also load it with require().',
        { cause: error },
      );
    }
    throw error;
  }
};
