// Importing a PVE lxc/<ctid>.conf as it is, byte for byte (comments, snapshots, [pve:pending] included), as vm.import
// does for VMs: every section's keys checked, every volume any section names present on its storage and named for this
// container, no NIC reusing the MAC of another guest here, the CTID free on every node. Only then is the file written.
import { findGuest, guestNoun } from '../guests/guest-configs';
import { AppError } from '../api/errors';
import { throwConfigErrors } from '../vm/config/config-errors';
import { currentOf, sectionsOf, type VmConf, type VmSection } from '../vm/config/conf-document';
import { CT_PENDING_HEADER } from './config/ct-conf';
import { ctNetIndexOf, parseCtNet } from './config/ct-net';
import { ctConfigErrors } from './config/validate';
import type { CtService } from './ct-service';
import { guestMacs } from './guest-macs';
import { volumeMountsOf, volumeProblem } from './ct-volume-refs';

/** How long the storages may take to answer whether the volumes exist (an LVM or ZFS listing per storage). */
const VOLUME_CHECK_MS = 60_000;

/** Outside the current section a problem is named with its section as the file names it: "[snap1] rootfs: …", "[pve:pending] mp0: …". */
const sectionPrefix = (section: VmSection): string =>
  section.kind === 'current' ? '' : section.kind === 'pending' ? `${CT_PENDING_HEADER} ` : `[${section.name}] `;

/** Every section's key problems, keyed and worded as the section names them (one AppError lists them all). */
export const sectionErrors = (
  conf: VmConf,
  errorsOf: (section: VmSection) => Record<string, string>,
): Record<string, string> => {
  const errors: Record<string, string> = {};
  for (const section of sectionsOf(conf)) {
    const prefix = sectionPrefix(section);
    for (const [key, message] of Object.entries(errorsOf(section))) errors[`${prefix}${key}`] = `${prefix}${message}`;
  }
  return errors;
};

const keyErrorsOf = (section: VmSection): Record<string, string> => {
  switch (section.kind) {
    case 'current':
      return ctConfigErrors(section.values);
    case 'pending':
      return ctConfigErrors(section.values, { section: 'pending' });
    case 'snapshot':
      return ctConfigErrors(section.values, { section: 'snapshot' });
    case 'special':
      return { [`[${section.name}]`]: `[${section.name}]: a container config has no such section` };
  }
};

/** Each volume named anywhere in the config, checked once, its problem filed under the first key naming it. */
const volumeErrors = async (cts: CtService, vmid: number, conf: VmConf): Promise<Record<string, string>> => {
  const call = { signal: AbortSignal.timeout(VOLUME_CHECK_MS) };
  const seen = new Set<string>();
  const errors: Record<string, string> = {};
  for (const section of sectionsOf(conf)) {
    for (const mount of volumeMountsOf(section.values)) {
      if (seen.has(mount.volume)) continue;
      seen.add(mount.volume);
      const problem = await volumeProblem(cts.options.storage, mount.volume, vmid, call);
      const key = `${sectionPrefix(section)}${mount.key}`;
      if (problem !== undefined) errors[key] = `${key}: ${problem}`;
    }
  }
  return errors;
};

const macErrors = async (
  cts: CtService,
  vmid: number,
  values: Readonly<Record<string, string>>,
): Promise<Record<string, string>> => {
  const owners = await guestMacs(cts, vmid);
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (ctNetIndexOf(key) === undefined) continue;
    const mac = parseCtNet(key, value).hwaddr?.toUpperCase();
    const owner = mac === undefined ? undefined : owners.get(mac);
    if (owner !== undefined) errors[key] = `${key}: MAC ${mac} is already used by guest ${owner} on this node`;
  }
  return errors;
};

export const importCt = async (cts: CtService, vmid: number, text: string): Promise<{ digest: string }> => {
  const taken = await findGuest(cts.store.configDir, vmid);
  if (taken)
    throw new AppError(
      'already-exists',
      `CT ${vmid}: the id is taken by ${guestNoun[taken.kind]} ${vmid} on node ${taken.node}`,
      { vmid },
    );
  const conf = cts.store.dialect.parse(text, cts.store.fileName(vmid));
  const errors = sectionErrors(conf, keyErrorsOf);
  const lock = currentOf(conf).values.lock;
  if (lock !== undefined) errors.lock = `lock: the config is locked (${lock}) — unlock it on the source first`;
  throwConfigErrors(errors);
  throwConfigErrors({
    ...(await volumeErrors(cts, vmid, conf)),
    ...(await macErrors(cts, vmid, currentOf(conf).values)),
  });
  const digest = await cts.store.create(vmid, conf);
  await cts.publishStatus(vmid);
  return { digest };
};
