import { describe, expect, it } from 'vitest';
import { filenameFromUrl, validateDownload } from './download-form';

const sha = 'a'.repeat(64);

describe('download form', () => {
  it('guesses the file name from the URL path', () => {
    expect(
      filenameFromUrl('https://cdimage.debian.org/debian-cd/12.8.0/amd64/iso-cd/debian-12.8.0-amd64-netinst.iso'),
    ).toBe('debian-12.8.0-amd64-netinst.iso');
    expect(filenameFromUrl('https://example.com/a%20b.iso')).toBe('');
    expect(filenameFromUrl('https://example.com/')).toBe('');
    expect(filenameFromUrl('not a url')).toBe('');
  });

  it('accepts http(s) URLs, plain file names with the right extension, and an optional sha256', () => {
    expect(validateDownload({ url: 'https://x.org/a.iso', filename: 'a.iso', sha256: '' }, 'iso')).toEqual({});
    expect(validateDownload({ url: 'http://x.org/t.tar.zst', filename: 't.tar.zst', sha256: sha }, 'vztmpl')).toEqual(
      {},
    );
  });

  it('refuses other schemes, path parts, wrong extensions and malformed checksums', () => {
    const errors = validateDownload({ url: 'file:///etc/passwd', filename: '../passwd', sha256: 'abc' }, 'iso');
    expect(errors).toEqual({
      url: 'download.invalid.url',
      filename: 'download.invalid.filename',
      sha256: 'download.invalid.sha256',
    });
    expect(validateDownload({ url: 'https://x.org/a.iso', filename: 'a.iso', sha256: '' }, 'vztmpl').filename).toBe(
      'download.invalid.extension',
    );
    expect(validateDownload({ url: '', filename: '', sha256: '' }, 'iso')).toEqual({
      url: 'storageForm.invalid.required',
      filename: 'storageForm.invalid.required',
    });
  });
});
