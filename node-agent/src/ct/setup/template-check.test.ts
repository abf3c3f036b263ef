import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCtTemplate } from '../../../../test/ct-templates/ct-templates';
import { runChecked } from '../../exec/run';
import { tempDirForTest } from '../../fs/temp-dir';
import { makeRootfs } from './rootfs-fixture';
import { checkTemplateTarball, looksLikeRootfs, normalizeEntries } from './template-check';

describe('checkTemplateTarball', () => {
  it('accepts the busybox template as .tar.gz and .tar.zst', async () => {
    const templates = await buildCtTemplate('busybox');
    for (const template of templates) {
      const check = await checkTemplateTarball(template);
      expect(check.compression).toBe(template.endsWith('.zst') ? 'zstd' : 'gzip');
      expect(check.entries).toBeGreaterThan(100);
    }
  }, 120_000);

  it('accepts an xz rootfs with a merged /usr, and finds the compression by magic when the name lies', async () => {
    const dir = await tempDirForTest('hd-tmpl-');
    const tree = await makeRootfs(join(dir, 'tree'), { 'etc/os-release': 'ID=debian\n', 'usr/bin/sh': '', sbin: { link: 'usr/sbin' } });
    const xz = join(dir, 'x.tar.xz');
    await runChecked('tar', ['--create', '--xz', '--file', xz, '--directory', tree, '.']);
    expect(await checkTemplateTarball(xz)).toEqual({ compression: 'xz', entries: 6 });
    const misnamed = join(dir, 'y.tar.zst');
    await runChecked('tar', ['--create', '--gzip', '--file', misnamed, '--directory', tree, 'etc', 'usr']);
    expect(await checkTemplateTarball(misnamed)).toMatchObject({ compression: 'gzip' });
  });

  it('refuses a random file and a tarball of something else, naming the file', async () => {
    const dir = await tempDirForTest('hd-tmpl-');
    const random = join(dir, 'random.tar.gz');
    await writeFile(random, Buffer.from('this is not a tarball at all\n'.repeat(40)));
    await expect(checkTemplateTarball(random)).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringContaining('random.tar.gz') as unknown });
    await mkdir(join(dir, 'docs'));
    await writeFile(join(dir, 'docs/README'), 'hello\n');
    const docs = join(dir, 'docs.tar.gz');
    await runChecked('tar', ['--create', '--gzip', '--file', docs, '--directory', dir, 'docs']);
    await expect(checkTemplateTarball(docs)).rejects.toMatchObject({
      code: 'invalid-params',
      message: 'docs.tar.gz is not a container root file system (no /etc, /sbin/init, /bin/sh or /usr in it)',
    });
    await expect(checkTemplateTarball(join(dir, 'absent.tar.gz'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('decides from the listing: /etc plus something to run', () => {
    expect(looksLikeRootfs(normalizeEntries('./\n./etc/\n./etc/passwd\n./bin/sh\n'))).toBe(true);
    expect(looksLikeRootfs(normalizeEntries('etc/\netc/passwd\n'))).toBe(false);
    expect(looksLikeRootfs(normalizeEntries('/sbin/init\n/usr/bin/x\n'))).toBe(false);
  });
});
