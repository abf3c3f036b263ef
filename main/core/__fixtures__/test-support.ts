// What the main/core tests share: waiting for the AppError a call must fail with, and trusting a test
// server's host key the way a person confirming the fingerprint shown would.
import { expect } from 'vitest';
import { AppError } from '../../../node-agent/src/api';
import { acceptHostKey, probeHostKey } from '../host-key-probe';
import type { KnownHosts } from '../known-hosts';
import type { HostKeyInfo } from '../app-api';

/** The AppError `promise` rejects with; the test fails when it resolves or rejects with anything else. */
export const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
};

/** Probe 127.0.0.1:port and accept the host key it shows into `knownHosts`. */
export const trustHostKey = async (knownHosts: KnownHosts, port: number): Promise<HostKeyInfo> =>
  acceptHostKey('127.0.0.1', port, knownHosts, (await probeHostKey('127.0.0.1', port, knownHosts)).fingerprint);
