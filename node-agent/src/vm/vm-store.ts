// VM configs on disk: <config>/nodes/<node>/qemu-server/<vmid>.conf, read with their digest, written atomically,
// changed one at a time per VM under its config lock (PVE's lock-<vmid>.conf), with the `lock:` key guarding
// long operations (create, snapshot, clone…) as PVE's does.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../api/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import { findGuest, guestConfigDir, guestConfigPath, guestNoun, listGuests, type GuestKind } from '../guests/guest-configs';
import { LocalStorageLocks, type LockHolder, type LockOptions } from '../storage/lock';
import { CURRENT, confDigest, currentOf, parseVmConf, serializeVmConf, setKey, deleteKey, type VmConf } from './config/conf-document';

export interface VmConfRead {
  conf: VmConf;
  digest: string;
  text: string;
}

/** The lowest VMID PVE hands out. */
const FIRST_VMID = 100;

/** How one kind of guest's config file is read and written (containers name their pending section differently). */
export interface GuestDialect {
  kind: GuestKind;
  parse(text: string, file: string): VmConf;
  serialize(conf: VmConf): string;
}

export const qemuDialect: GuestDialect = { kind: 'qemu', parse: parseVmConf, serialize: serializeVmConf };

/** The configs of one kind of guest on this node (VMs by default; containers with their dialect). */
export class VmStore {
  private readonly locks = new LocalStorageLocks();
  /** Claims of new VMIDs, one at a time: the check that a VMID is free and the write that takes it go together. */
  private claiming: Promise<unknown> = Promise.resolve();
  /** "VM" or "CT", for messages. */
  private readonly noun: string;

  constructor(
    readonly configDir: string,
    readonly node: string,
    readonly dialect: GuestDialect = qemuDialect,
  ) {
    this.noun = dialect.kind === 'qemu' ? 'VM' : 'CT';
  }

  path(vmid: number): string {
    return guestConfigPath(this.configDir, this.node, this.dialect.kind, vmid);
  }

  fileName(vmid: number): string {
    return `${this.dialect.kind === 'qemu' ? 'qemu-server' : 'lxc'}/${vmid}.conf`;
  }

  /** The ids of this node's guests of this kind, ascending. */
  async vmids(): Promise<number[]> {
    return (await listGuests(this.configDir)).filter((guest) => guest.kind === this.dialect.kind && guest.node === this.node).map((guest) => guest.vmid);
  }

  async exists(vmid: number): Promise<boolean> {
    return (await this.readText(vmid)) !== undefined;
  }

  async read(vmid: number): Promise<VmConfRead> {
    const text = await this.readText(vmid);
    if (text === undefined) {
      const elsewhere = await findGuest(this.configDir, vmid);
      throw new AppError(
        'not-found',
        elsewhere
          ? `${this.noun} ${vmid} is not on node ${this.node} (${guestNoun[elsewhere.kind]} ${vmid} is on node ${elsewhere.node})`
          : `${this.noun} ${vmid} does not exist on node ${this.node}`,
        { vmid },
      );
    }
    return { conf: this.dialect.parse(text, this.fileName(vmid)), digest: confDigest(text), text };
  }

  /** Write a config (the new text is parsed again first: what is written can always be read). */
  async write(vmid: number, conf: VmConf): Promise<string> {
    const text = this.dialect.serialize(conf);
    this.dialect.parse(text, `the new ${this.fileName(vmid)}`);
    await mkdir(dirname(this.path(vmid)), { recursive: true, mode: 0o755 });
    await writeFileAtomic(this.path(vmid), text, 0o640, 0o755);
    return confDigest(text);
  }

  /** Claim a VMID: a new config that only this call can have created (any guest on any node holding it refuses). */
  create(vmid: number, conf: VmConf): Promise<string> {
    const claim = this.claiming.then(async () => {
      const taken = await findGuest(this.configDir, vmid);
      if (taken)
        throw new AppError('already-exists', `VMID ${vmid} is taken by ${guestNoun[taken.kind]} ${vmid} on node ${taken.node} — pick another (next free: ${await this.nextid()})`, {
          vmid,
        });
      return this.write(vmid, conf);
    });
    this.claiming = claim.catch(() => undefined);
    return claim;
  }

  async remove(vmid: number): Promise<void> {
    await rm(this.path(vmid), { force: true });
  }

  /** The lowest VMID from 100 that no guest of any node uses. */
  async nextid(): Promise<number> {
    const used = new Set((await listGuests(this.configDir)).map((guest) => guest.vmid));
    let vmid = FIRST_VMID;
    while (used.has(vmid)) vmid += 1;
    return vmid;
  }

  /** Run `body` holding VM vmid's config lock (fair; 10 s; the wait names the holder). */
  withLock<T>(vmid: number, holder: LockHolder, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    return this.locks.withLock(`${this.noun} ${vmid}`, holder, body, options);
  }

  /** Read, check the digest when given, change, write: under the config lock. */
  async update(
    vmid: number,
    holder: LockHolder,
    digest: string | undefined,
    change: (read: VmConfRead) => VmConf | Promise<VmConf>,
    options: LockOptions = {},
  ): Promise<string> {
    return this.withLock(
      vmid,
      holder,
      async () => {
        const read = await this.read(vmid);
        if (digest !== undefined && digest !== read.digest)
          throw new AppError(
            'conflict',
            `${this.noun} ${vmid}'s config changed since you read it (digest ${digest.slice(0, 12)}…, now ${read.digest.slice(0, 12)}…) — reload and try again`,
            { vmid, digest: read.digest },
          );
        return this.write(vmid, await change(read));
      },
      options,
    );
  }

  /** Set the config's `lock:` (a long operation runs) after checking there is none; cleared with unlockConf. */
  async lockConf(vmid: number, lock: string, holder: LockHolder): Promise<void> {
    await this.update(vmid, holder, undefined, ({ conf }) => {
      const held = currentOf(conf).values.lock;
      if (held !== undefined) throw new AppError('locked', `${this.noun} ${vmid} is locked (${held}) — wait for it to finish, or unlock it if nothing runs`, { vmid, lock: held });
      return setKey(conf, CURRENT, 'lock', lock);
    });
  }

  async unlockConf(vmid: number, holder: LockHolder): Promise<void> {
    if (!(await this.exists(vmid))) return;
    await this.update(vmid, holder, undefined, ({ conf }) => deleteKey(conf, CURRENT, 'lock'));
  }

  private async readText(vmid: number): Promise<string | undefined> {
    try {
      return await readFile(this.path(vmid), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

export const vmConfigDir = (configDir: string, node: string): string => guestConfigDir(configDir, node, 'qemu');
