// The edits setup makes to files the guest already has, as pure text functions: PVE's marked section
// (ct_modify_file), /etc/hosts (update_etc_hosts) and root's password field (set_user_password).
import { AppError } from '../../api/errors';

// PVE's own markers, so a container set up by PVE and by Hyperdesk keeps one section.
export const SECTION_BEGIN = '# --- BEGIN PVE ---';
export const SECTION_END = '# --- END PVE ---';

const LO4 = '127.0.0.1 localhost.localnet localhost\n';
const LO6 = '::1 localhost.localnet localhost\n';

/** Replace the marked section, or add one (appended, or as the whole file with `replace`). */
export const modifySection = (old: string | undefined, data: string, placement: 'append' | 'replace'): string => {
  const body = data === '' || data.endsWith('\n') ? data : `${data}\n`;
  const section = `${SECTION_BEGIN}\n${body}${SECTION_END}\n`;
  if (old === undefined) return section;
  const lines = old.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const begin = lines.findIndex((line) => /^#\s*---\s*BEGIN\s*PVE\s*/.test(line));
  const end = begin < 0 ? -1 : lines.findIndex((line, i) => i > begin && /^#\s*---\s*END\s*PVE\s*/i.test(line));
  if (begin >= 0 && end >= 0) {
    lines.splice(begin, end - begin + 1, section.slice(0, -1));
    return `${lines.join('\n')}\n`;
  }
  if (placement === 'replace') return section;
  const content = lines.join('\n').replace(/\n+$/, '');
  return content === '' ? section : `${content}\n${section}`;
};

const withoutSections = (text: string): string =>
  text.replace(/^[ \t]*# --- BEGIN PVE ---[\s\S]*?^[ \t]*# --- END PVE ---.*$/gm, '');

/** /etc/hosts with the host's line in the section; localhost lines added when the guest's own part has none. */
export const updateEtcHosts = (old: string | undefined, line: string): string => {
  let data = '';
  if (old === undefined) data = LO4 + LO6;
  else {
    const own = withoutSections(old);
    if (!/^[ \t]*127\.0\.0\.1[ \t]+/m.test(own)) data += LO4;
    if (!/^[ \t]*::1[ \t]+/m.test(own)) data += LO6;
  }
  return modifySection(old, `${data}${line}\n`, 'append');
};

/** Days since the epoch, shadow(5)'s "date of last password change". */
export const shadowDay = (now: Date): number => Math.floor(now.getTime() / 86_400_000);

/**
 * root's line with the new hash: in shadow (`root:HASH:DAY:…`, the rest kept) or in passwd (`root:HASH:…`).
 * Only the first `root:` line changes; a file without one is refused.
 */
export const setRootHash = (text: string, hash: string, file: 'shadow' | 'passwd', now: Date, path: string): string => {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.startsWith('root:'));
  const fields = lines[index]?.split(':');
  if (index < 0 || !fields || fields.length < (file === 'shadow' ? 3 : 2))
    throw new AppError('invalid-params', `${path} in the container has no root entry — cannot set root's password`, { path });
  fields[1] = hash;
  if (file === 'shadow') fields[2] = String(shadowDay(now));
  lines[index] = fields.join(':');
  return lines.join('\n');
};
