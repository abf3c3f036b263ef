import { describe, expect, it } from 'vitest';
import { NEW_CLUSTER, hostKeyFile, initialForm, toAddNodeInput, validateForm, type AddNodeForm } from './add-node-form';

const FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const filled = (patch: Partial<AddNodeForm> = {}): AddNodeForm => ({
  ...initialForm(['lab']),
  host: '198.18.0.11',
  ...patch,
});

describe('add-node form', () => {
  it('starts in the first existing cluster, or a new one named default', () => {
    expect(initialForm(['lab', 'prod']).cluster).toBe('lab');
    const fresh = initialForm([]);
    expect(fresh.cluster).toBe(NEW_CLUSTER);
    expect(fresh.newClusterName).toBe('default');
  });

  it('accepts a complete form and rejects each bad field', () => {
    expect(validateForm(filled())).toEqual({});
    expect(validateForm(filled({ host: '' })).host).toBe('addNode.invalid.required');
    expect(validateForm(filled({ host: 'bad host' })).host).toBe('addNode.invalid.host');
    expect(validateForm(filled({ port: '70000' })).port).toBe('addNode.invalid.port');
    expect(validateForm(filled({ port: '22a' })).port).toBe('addNode.invalid.port');
    expect(validateForm(filled({ user: '9root' })).user).toBe('addNode.invalid.user');
    expect(validateForm(filled({ name: '-n1' })).name).toBe('addNode.invalid.name');
    const newCluster = (name: string) => validateForm(filled({ cluster: NEW_CLUSTER, newClusterName: name }));
    expect(newCluster(' ').newClusterName).toBe('addNode.invalid.required');
    expect(newCluster('x'.repeat(101)).newClusterName).toBe('addNode.invalid.clusterName');
    expect(newCluster('Prod Shanghai 上海')).toEqual({});
    expect(validateForm(filled({ auth: 'key', keyPath: ' ' })).keyPath).toBe('addNode.invalid.required');
    expect(validateForm(filled({ auth: 'password', secret: '' })).secret).toBe('addNode.invalid.required');
    expect(validateForm(filled({ auth: 'agent', keyPath: '' }))).toEqual({});
  });

  it('builds the addNode input with only what the auth method needs', () => {
    expect(toAddNodeInput(filled({ auth: 'agent', secret: 'ignored' }), FP)).toEqual({
      cluster: 'lab',
      host: '198.18.0.11',
      port: 22,
      user: 'root',
      auth: 'agent',
      acceptedFingerprint: FP,
    });
    const withKey = toAddNodeInput(
      filled({ keyPath: ' /k ', secret: 'pass', name: 'n1', cluster: NEW_CLUSTER, newClusterName: ' Edge sites ' }),
      FP,
    );
    expect(withKey).toMatchObject({ cluster: 'Edge sites', name: 'n1', keyPath: '/k', secret: 'pass' });
  });

  it('names the host key file that matches the key type', () => {
    expect(hostKeyFile('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFile('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
    expect(hostKeyFile('rsa-sha2-512')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
  });
});
