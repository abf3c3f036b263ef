// The add-node form as data: defaults, field checks (the same rules main enforces), and the addNode input.
import type { AddNodeInput } from '../../../../main/core/app-api';
import type { AuthMethod } from '../../../../main/core/config-schema';
import type { MessageKey } from '../../i18n/translate';

export const NEW_CLUSTER = '\u0000new';

export interface AddNodeForm {
  host: string;
  port: string;
  user: string;
  name: string;
  /** An existing cluster's name, or NEW_CLUSTER. main resolves clusters by name and makes the id itself. */
  cluster: string;
  newClusterName: string;
  auth: AuthMethod;
  keyPath: string;
  /** Password, or the key's passphrase. */
  secret: string;
}

export type AddNodeField = keyof AddNodeForm;
export type AddNodeErrors = Partial<Record<AddNodeField, MessageKey>>;

export const authMethods: readonly AuthMethod[] = ['key', 'agent', 'password', 'keyboard-interactive'];

export function initialForm(clusterNames: readonly string[]): AddNodeForm {
  const first = clusterNames[0];
  return {
    host: '',
    port: '22',
    user: 'root',
    name: '',
    cluster: first ?? NEW_CLUSTER,
    newClusterName: first === undefined ? 'default' : '',
    auth: 'key',
    keyPath: '~/.ssh/id_ed25519',
    secret: '',
  };
}

// The same rules as main/core/config-schema.ts and app-api.ts, so the person hears about a typo before a round trip.
const HOST = /^[A-Za-z0-9.:_-]{1,253}$/;
const USER = /^[a-z_][a-z0-9_.-]{0,63}\$?$/i;
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function validateForm(form: AddNodeForm): AddNodeErrors {
  const errors: AddNodeErrors = {};
  const host = form.host.trim();
  if (host === '') errors.host = 'addNode.invalid.required';
  else if (!HOST.test(host)) errors.host = 'addNode.invalid.host';
  const port = Number(form.port);
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535) errors.port = 'addNode.invalid.port';
  if (form.user.trim() === '') errors.user = 'addNode.invalid.required';
  else if (!USER.test(form.user.trim())) errors.user = 'addNode.invalid.user';
  if (form.name.trim() !== '' && !NODE_NAME.test(form.name.trim())) errors.name = 'addNode.invalid.name';
  if (form.cluster === NEW_CLUSTER) {
    const name = form.newClusterName.trim();
    if (name === '') errors.newClusterName = 'addNode.invalid.required';
    else if (name.length > 100) errors.newClusterName = 'addNode.invalid.clusterName';
  }
  if (form.auth === 'key' && form.keyPath.trim() === '') errors.keyPath = 'addNode.invalid.required';
  if (form.auth === 'password' && form.secret === '') errors.secret = 'addNode.invalid.required';
  return errors;
}

export const hasErrors = (errors: AddNodeErrors): boolean => Object.keys(errors).length > 0;

export const portOf = (form: AddNodeForm): number => Number(form.port.trim());

/** The connections.addNode input; only the fields the chosen auth method uses are sent. */
export function toAddNodeInput(form: AddNodeForm, acceptedFingerprint: string): AddNodeInput {
  const input: AddNodeInput = {
    cluster: form.cluster === NEW_CLUSTER ? form.newClusterName.trim() : form.cluster,
    host: form.host.trim(),
    port: portOf(form),
    user: form.user.trim(),
    auth: form.auth,
    acceptedFingerprint,
  };
  if (form.name.trim() !== '') input.name = form.name.trim();
  if (form.auth === 'key') input.keyPath = form.keyPath.trim();
  if ((form.auth === 'key' || form.auth === 'password') && form.secret !== '') input.secret = form.secret;
  return input;
}

/** The host key file on the node whose fingerprint matches this key type, for the ssh-keygen instruction. */
export function hostKeyFile(keyType: string): string {
  const kind = keyType.includes('ed25519')
    ? 'ed25519'
    : keyType.startsWith('ecdsa')
      ? 'ecdsa'
      : keyType.includes('rsa')
        ? 'rsa'
        : 'ed25519';
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}
