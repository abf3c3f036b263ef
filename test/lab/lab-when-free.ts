// One lab per machine: test files that need one wait their turn instead of failing when another is up.
import { readdir } from 'node:fs/promises';
import { isAppError } from '../../node-agent/src/api';
import { labUp, type Lab, type LabUpOptions } from './lab-api';

export const WAIT_FOR_OTHER_LABS_MS = 25 * 60_000;

const labNamespaces = async (): Promise<string[]> =>
  (await readdir('/var/run/netns').catch(() => [])).filter((name) => name.startsWith('hdlab-'));

/** Bring the lab up once no other is: poll /var/run/netns with a deadline, and try again if another won the race. */
export const labUpWhenFree = async (options: LabUpOptions): Promise<Lab> => {
  const deadline = Date.now() + WAIT_FOR_OTHER_LABS_MS;
  let last = '';
  for (;;) {
    const taken = await labNamespaces();
    if (taken.length === 0) {
      try {
        return await labUp(options);
      } catch (error) {
        if (!isAppError(error, 'already-exists')) throw error;
        last = error.message;
      }
    } else last = `${taken.join(', ')} exist`;
    if (Date.now() > deadline) throw new Error(`another lab stayed up for ${WAIT_FOR_OTHER_LABS_MS / 60_000} min (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
};
