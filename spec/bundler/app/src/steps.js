// The app's helpers as one module (#steps in package.json's imports): a re-export, through which
// converted code still reaches helpers.js.

export * from './helpers.js';
