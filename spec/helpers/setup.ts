// Root hooks for every spec: quiet tfjs's one-time Node banner, which says nothing about the code under test.
import * as tf from '@tensorflow/tfjs';

export const mochaHooks = {
  beforeAll() {
    tf.env().set('PROD', true);
  },
};
