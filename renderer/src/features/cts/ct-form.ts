// The create-CT wizard as data: its values, per-step validation (message keys), and the ct.create params they make
// (PVE's flat config keys; rootfs STORAGE:SIZE_GiB allocates the root disk). Pure, so it is tested without a DOM.
import type { MessageKey } from '../../i18n/translate';
import { isIPv4, isIPv6, netSpec, newNet, validateNet, type NetValues } from './ct-net-form';

export const ctWizardSteps = ['general', 'template', 'rootdisk', 'cpu', 'memory', 'network', 'dns', 'confirm'] as const;
export type CtWizardStep = (typeof ctWizardSteps)[number];

export interface CtWizardValues {
  node: string;
  vmid: string;
  hostname: string;
  unprivileged: boolean;
  /** features: nesting=1 (modern systemd and Docker inside need it; PVE's wizard sets it for unprivileged CTs). */
  nesting: boolean;
  password: string;
  confirmPassword: string;
  sshKeys: string;
  templateStorage: string;
  /** The vztmpl volid. */
  ostemplate: string;
  diskStorage: string;
  diskSizeGiB: string;
  cores: string;
  /** '' or 0 = unlimited. */
  cpulimit: string;
  memory: string;
  swap: string;
  network: NetValues;
  searchdomain: string;
  /** Space- or comma-separated; '' = the node's. */
  nameserver: string;
  start: boolean;
}

export type CtWizardErrors = Partial<Record<string, MessageKey>>;

export function emptyCtWizard(node: string, vmid: number | undefined): CtWizardValues {
  return {
    node,
    vmid: vmid === undefined ? '' : String(vmid),
    hostname: '',
    unprivileged: true,
    nesting: true,
    password: '',
    confirmPassword: '',
    sshKeys: '',
    templateStorage: '',
    ostemplate: '',
    diskStorage: '',
    diskSizeGiB: '8',
    cores: '1',
    cpulimit: '',
    memory: '512',
    swap: '512',
    network: newNet(),
    searchdomain: '',
    nameserver: '',
    start: false,
  };
}

const INT = /^\d+$/;
/** A DNS name (hostname, search domain): dot-separated labels of letters, digits and inner hyphens. */
export const DNS_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const SSH_KEY = /^(ssh-|ecdsa-|sk-)\S+ \S+/;
export const intIn = (text: string, min: number, max: number): boolean =>
  INT.test(text) && Number(text) >= min && Number(text) <= max;
const list = (text: string): string[] =>
  text
    .trim()
    .split(/[\s,]+/)
    .filter((s) => s !== '');
const keyLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** The errors of one step; an empty object means the step is complete. */
export function validateCtStep(step: CtWizardStep, v: CtWizardValues): CtWizardErrors {
  const e: CtWizardErrors = {};
  switch (step) {
    case 'general':
      if (v.node === '') e.node = 'vmForm.invalid.required';
      if (!intIn(v.vmid, 100, 999_999_999)) e.vmid = 'vmForm.invalid.vmid';
      if (v.hostname !== '' && !DNS_NAME.test(v.hostname)) e.hostname = 'vmForm.invalid.name';
      // As PVE's wizard: a password, or at least one SSH key, so root can log in.
      if (v.password === '' && keyLines(v.sshKeys).length === 0) e.password = 'ctForm.invalid.passwordOrKey';
      else if (v.password !== '' && (v.password.length < 5 || v.password.length > 256))
        e.password = 'ctForm.invalid.password';
      if (v.password !== v.confirmPassword) e.confirmPassword = 'ctForm.invalid.confirm';
      if (keyLines(v.sshKeys).some((line) => !SSH_KEY.test(line))) e.sshKeys = 'vmForm.invalid.sshkey';
      break;
    case 'template':
      if (v.ostemplate === '') e.ostemplate = 'vmForm.invalid.required';
      break;
    case 'rootdisk':
      if (v.diskStorage === '') e.diskStorage = 'vmForm.invalid.required';
      if (!intIn(v.diskSizeGiB, 1, 131_072)) e.diskSizeGiB = 'vmForm.invalid.diskSize';
      break;
    case 'cpu':
      if (!intIn(v.cores, 1, 8192)) e.cores = 'ctForm.invalid.cores';
      if (v.cpulimit !== '' && !(/^\d+(\.\d+)?$/.test(v.cpulimit) && Number(v.cpulimit) <= 8192))
        e.cpulimit = 'ctForm.invalid.cpulimit';
      break;
    case 'memory':
      if (!intIn(v.memory, 16, 4_194_304)) e.memory = 'vmForm.invalid.memory';
      if (!intIn(v.swap, 0, 16_777_216)) e.swap = 'ctForm.invalid.swap';
      break;
    case 'network':
      for (const [field, key] of Object.entries(validateNet(v.network))) e[`network.${field}`] = key;
      break;
    case 'dns':
      if (list(v.searchdomain).some((d) => !DNS_NAME.test(d))) e.searchdomain = 'ctForm.invalid.domain';
      if (list(v.nameserver).some((ns) => !isIPv4(ns) && !isIPv6(ns))) e.nameserver = 'ctForm.invalid.nameserver';
      break;
    case 'confirm':
      break;
  }
  return e;
}

/** Every step's errors together: what Create checks before it calls the agent. */
export const validateCtWizard = (v: CtWizardValues): CtWizardErrors =>
  Object.assign({}, ...ctWizardSteps.map((step) => validateCtStep(step, v))) as CtWizardErrors;

export interface CtCreateParams {
  vmid: number;
  ostemplate: string;
  config: Record<string, string | number>;
  password?: string;
  sshPublicKeys?: string;
  start: boolean;
}

export function toCtCreateParams(v: CtWizardValues): CtCreateParams {
  const config: Record<string, string | number> = {};
  if (v.hostname !== '') config.hostname = v.hostname;
  if (v.unprivileged) config.unprivileged = 1;
  if (v.nesting) config.features = 'nesting=1';
  config.cores = Number(v.cores);
  if (v.cpulimit !== '' && Number(v.cpulimit) > 0) config.cpulimit = Number(v.cpulimit);
  config.memory = Number(v.memory);
  config.swap = Number(v.swap);
  config.rootfs = `${v.diskStorage}:${Number(v.diskSizeGiB)}`;
  config.net0 = netSpec(v.network);
  if (v.searchdomain.trim() !== '') config.searchdomain = list(v.searchdomain).join(' ');
  if (v.nameserver.trim() !== '') config.nameserver = list(v.nameserver).join(' ');
  const keys = keyLines(v.sshKeys);
  return {
    vmid: Number(v.vmid),
    ostemplate: v.ostemplate,
    config,
    ...(v.password === '' ? {} : { password: v.password }),
    ...(keys.length === 0 ? {} : { sshPublicKeys: `${keys.join('\n')}\n` }),
    start: v.start,
  };
}

/** The confirm step's lines: vmid and template first, then the config sorted, and what goes into the container. */
export function ctConfirmLines(p: CtCreateParams): { key: string; value: string }[] {
  return [
    { key: 'vmid', value: String(p.vmid) },
    { key: 'ostemplate', value: p.ostemplate },
    ...Object.keys(p.config)
      .sort()
      .map((key) => ({ key, value: String(p.config[key]) })),
    ...(p.password === undefined ? [] : [{ key: 'password', value: '••••••' }]),
    ...(p.sshPublicKeys === undefined
      ? []
      : [{ key: 'ssh-public-keys', value: String(keyLines(p.sshPublicKeys).length) }]),
  ];
}
