// Writes a setup plan into a container's rootfs, every path confined to it (see rootfs-files.ts). Files the guest
// already has keep their owner; new ones get the rootfs root's owner, so an unprivileged CT's root owns them.
import { AppError } from '../../api/errors';
import { modifySection, setRootHash, updateEtcHosts } from './file-edits';
import type { SetupStep } from './plan';
import { makeDirectory, readRegular, removeFile, rootfsOwner, writeRegular, type Owner } from './rootfs-files';

export interface ApplyOptions {
  /** Owner of new files and directories; default: the owner of rootfsDir itself. */
  owner?: Owner;
  /** For shadow's "last changed" day; default now. */
  now?: Date;
  /** Called before each step with its description (task logs). */
  onStep?: (step: SetupStep) => void;
  /** Called for a step left out because the container has its `.pve-ignore.` file. */
  onSkip?: (step: SetupStep, ignoreFile: string) => void;
}

const applyStep = async (root: string, step: SetupStep, owner: Owner, now: Date): Promise<void> => {
  switch (step.kind) {
    case 'mkdir':
      return makeDirectory(root, step.path, step.mode, owner);
    case 'remove':
      return removeFile(root, step.path);
    case 'write': {
      const old = await readRegular(root, step.path, step.replaceSymlink ? 'absent' : 'refuse');
      return writeRegular(root, step.path, step.content, {
        mode: step.mode,
        owner: old ? { uid: old.uid, gid: old.gid } : owner,
        ...(step.replaceSymlink ? { replaceSymlink: true } : {}),
      });
    }
    case 'section': {
      const old = await readRegular(root, step.path, step.replaceSymlink ? 'absent' : 'refuse');
      const content = modifySection(old?.content, step.content, step.placement);
      return writeRegular(root, step.path, content, {
        mode: old?.mode ?? step.mode,
        owner: old ? { uid: old.uid, gid: old.gid } : owner,
        ...(step.replaceSymlink ? { replaceSymlink: true } : {}),
      });
    }
    case 'hosts': {
      const old = await readRegular(root, step.path);
      const content = updateEtcHosts(old?.content, step.line);
      return writeRegular(root, step.path, content, { mode: old?.mode ?? 0o644, owner: old ? { uid: old.uid, gid: old.gid } : owner });
    }
    case 'root-password': {
      const shadow = await readRegular(root, '/etc/shadow');
      const file = shadow ? 'shadow' : 'passwd';
      const path = `/etc/${file}`;
      const old = shadow ?? (await readRegular(root, path));
      if (!old) throw new AppError('invalid-params', `the container has neither /etc/shadow nor /etc/passwd — cannot set root's password`);
      const content = setRootHash(old.content, step.hash, file, now, path);
      return writeRegular(root, path, content, { mode: old.mode, owner: { uid: old.uid, gid: old.gid } });
    }
  }
};

/** The file a step writes, if it writes one. */
const stepPath = (step: SetupStep): string | undefined =>
  step.kind === 'root-password' ? undefined : step.kind === 'mkdir' ? undefined : step.path;

/** PVE's opt-out: an empty `/etc/.pve-ignore.<name>` in the container keeps the setup away from the file `<name>`. */
export const ignoredBy = (path: string): string => `/etc/.pve-ignore.${path.split('/').pop() ?? ''}`;

/** Apply the steps in order; the first refusal (a symlink, a missing root entry…) stops with its AppError. */
export const applySetup = async (rootfsDir: string, plan: readonly SetupStep[], options: ApplyOptions = {}): Promise<void> => {
  const owner = options.owner ?? (await rootfsOwner(rootfsDir));
  const now = options.now ?? new Date();
  for (const step of plan) {
    const path = stepPath(step);
    if (path !== undefined && (await readRegular(rootfsDir, ignoredBy(path), 'absent')) !== undefined) {
      options.onSkip?.(step, ignoredBy(path));
      continue;
    }
    options.onStep?.(step);
    await applyStep(rootfsDir, step, owner, now);
  }
};
