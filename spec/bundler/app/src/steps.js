// The app's helpers as one module: a re-export, through which converted code still reaches helpers.js.

export * from './helpers.js';
