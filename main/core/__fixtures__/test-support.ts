// What the main/core tests share: waiting for the AppError a call must fail with, trusting a test server's host
// key the way a person confirming the fingerprint shown would, and logging in to the test sshd.
import { join } from 'node:path';
import { expect } from 'vitest';
import { AppError } from '../../../node-agent/src/api';
import type { HostKeyInfo } from '../app-api';
import type { NodeKey } from '../config-schema';
import { acceptHostKey, probeHostKey } from '../host-key-probe';
import { KnownHosts } from '../known-hosts';
import { openSsh, type SshConnection } from '../ssh-connection';
import type { TestSshd } from './test-sshd';

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

/** An SSH connection to the test sshd as root with its client key, its host key trusted in <sshd dir>/known_hosts. */
export const connectToTestSshd = async (sshd: TestSshd, nodeKey: NodeKey): Promise<SshConnection> => {
  const knownHosts = await KnownHosts.load(join(sshd.dir, 'known_hosts'));
  await trustHostKey(knownHosts, sshd.port);
  return openSsh({
    host: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    auth: { method: 'key', keyPath: sshd.clientKeyPath },
    knownHosts,
    nodeKey,
  });
};
