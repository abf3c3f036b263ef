import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors';
import { tempDirForTest } from '../../fs/temp-dir';
import { configOstype, detectDistribution, parseOsRelease } from './detect';
import { makeRootfs, type FixtureEntry } from './rootfs-fixture';

const detect = async (entries: Record<string, FixtureEntry>) => detectDistribution(await makeRootfs(await tempDirForTest('hd-detect-'), entries));

describe('detectDistribution', () => {
  it('Debian: the point release from /etc/debian_version, os-release reached through its own relative symlink', async () => {
    expect(
      await detect({
        'usr/lib/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
        'etc/os-release': { link: '../usr/lib/os-release' },
        'etc/debian_version': '12.5\n',
      }),
    ).toEqual({ ostype: 'debian', version: '12.5' });
  });

  it('Debian testing without os-release: the codename maps to its number', async () => {
    expect(await detect({ 'etc/debian_version': 'trixie/sid\n' })).toEqual({ ostype: 'debian', version: '13' });
  });

  it('Ubuntu: VERSION_ID from os-release, though /etc/debian_version is there too', async () => {
    expect(
      await detect({
        'etc/os-release': 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n',
        'etc/debian_version': 'bookworm/sid\n',
      }),
    ).toEqual({ ostype: 'ubuntu', version: '22.04' });
  });

  it('Alpine: the version from /etc/alpine-release, os-release an absolute symlink taken inside the rootfs', async () => {
    expect(
      await detect({
        'usr/lib/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
        'etc/os-release': { link: '/usr/lib/os-release' },
        'etc/alpine-release': '3.19.1\n',
      }),
    ).toEqual({ ostype: 'alpine', version: '3.19.1' });
  });

  it('a plain busybox rootfs (no os-release) is busybox, which a CT config calls unmanaged', async () => {
    const found = await detect({ 'bin/busybox': '\x7fELF', 'sbin/init': { link: '/bin/busybox' }, 'etc/inittab': '' });
    expect(found).toEqual({ ostype: 'busybox', version: '' });
    expect(configOstype(found.ostype)).toBe('unmanaged');
  });

  it('anything else is unmanaged', async () => {
    expect(await detect({ 'etc/os-release': 'ID=fedora\nVERSION_ID=40\n', 'bin/busybox': '' })).toEqual({ ostype: 'unmanaged', version: '40' });
    expect(await detect({ 'etc/passwd': '' })).toEqual({ ostype: 'unmanaged', version: '' });
  });

  it('refuses an os-release symlink that climbs out of the rootfs instead of reading the host', async () => {
    const error = await detect({ 'etc/os-release': { link: '../../../../../../etc/os-release' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'access-denied', message: expect.stringContaining('/etc/os-release') as unknown });
  });

  it('parses quoted os-release values', () => {
    expect(parseOsRelease('ID="debian"\nNAME=\'X Y\'\n# comment\nVERSION="12 (\\"bookworm\\")"\n')).toEqual({
      ID: 'debian',
      NAME: 'X Y',
      VERSION: '12 ("bookworm")',
    });
  });
});
