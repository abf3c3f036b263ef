// A lab per test file: `const lab = useLab({ nodes: 2 })` brings it up before the file's tests and down after.
import { afterAll, beforeAll } from 'vitest';
import { AppError } from '../../node-agent/src/api/errors';
import { labUp, type Lab, type LabUpOptions } from './lab-api';

const UP_TIMEOUT_MS = 180_000;

/** Returns a getter: the lab exists only once beforeAll has run. */
export const useLab = (options: LabUpOptions): (() => Lab) => {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await labUp(options);
  }, UP_TIMEOUT_MS);
  afterAll(async () => {
    await lab?.down();
    lab = undefined;
  }, UP_TIMEOUT_MS);
  return () => {
    if (!lab)
      throw new AppError('not-found', 'the lab is not up: useLab() gives it to tests only, not at collection time');
    return lab;
  };
};
