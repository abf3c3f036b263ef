// The Electron binary cannot run here; this tests the decision logic behind the IPC sender check,
// the navigation guard and external links.
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAppUrl, isConsoleWindowUrl, isExternalLink, isPermissionGranted, isTrustedSender } from './origin-policy';

describe('isTrustedSender (decision logic of the IPC sender check; Electron itself cannot run here)', () => {
  it('accepts the app page in the main frame', () => {
    expect(isTrustedSender('app://hyperdesk/index.html', true, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender('app://hyperdesk/index.html#/vm/101', true, APP_ORIGIN)).toBe(true);
  });

  it('refuses the app page in a sub-frame', () => {
    expect(isTrustedSender('app://hyperdesk/index.html', false, APP_ORIGIN)).toBe(false);
  });

  it.each([
    ['another host on the scheme', 'app://hyperdesk.evil/index.html'],
    ['a userinfo trick', 'app://hyperdesk@evil/index.html'],
    ['a userinfo trick the other way round', 'app://evil@hyperdesk/index.html'],
    ['a web page', 'https://hyperdesk/index.html'],
    ['a local file', 'file:///usr/share/hyperdesk/index.html'],
    ['about:blank', 'about:blank'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['a port on the app host', 'app://hyperdesk:8080/index.html'],
    ['garbage', 'not a url'],
    ['an empty string', ''],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedSender(url, true, APP_ORIGIN)).toBe(false);
  });

  it('refuses a frame whose URL is unknown', () => {
    expect(isTrustedSender(undefined, true, APP_ORIGIN)).toBe(false);
  });
});

describe('isAppUrl (navigation guard)', () => {
  it('keeps navigation inside the app origin only', () => {
    expect(isAppUrl('app://hyperdesk/other.html', APP_ORIGIN)).toBe(true);
    expect(isAppUrl('app://hyperdesk2/index.html', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', APP_ORIGIN)).toBe(false);
  });

  it('works for an http origin too (browser host)', () => {
    expect(isAppUrl('http://127.0.0.1:4000/x', 'http://127.0.0.1:4000')).toBe(true);
    expect(isAppUrl('http://127.0.0.1:4001/x', 'http://127.0.0.1:4000')).toBe(false);
  });
});

describe('isPermissionGranted (decision logic of the permission check handler)', () => {
  it('grants only sanitized clipboard writes, and only to the app page', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', 'app://hyperdesk/', APP_ORIGIN)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'app://hyperdesk', APP_ORIGIN)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/', APP_ORIGIN)).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'hid', 'usb', 'fullscreen']) {
      expect(isPermissionGranted(permission, 'app://hyperdesk/', APP_ORIGIN)).toBe(false);
    }
  });
});

describe('isExternalLink', () => {
  it('lets only http(s) links go to the system browser', () => {
    expect(isExternalLink('https://pve.proxmox.com/wiki/Main_Page')).toBe(true);
    expect(isExternalLink('http://example.org/')).toBe(true);
    const refused = ['file:///etc/passwd', 'javascript:alert(1)', 'app://hyperdesk/', 'smb://host/share', 'ms-settings:', 'https://', 'nonsense'];
    expect(refused.filter(isExternalLink)).toEqual([]);
  });
});

describe('detached console windows (decision logic; Electron itself cannot run here)', () => {
  it('are the app\'s own page with a #console= hash, nothing else', () => {
    expect(isConsoleWindowUrl('app://hyperdesk/index.html#console=lab%2Fn1&vmid=100&kind=vnc', 'app://hyperdesk')).toBe(true);
    expect(isConsoleWindowUrl('app://hyperdesk/index.html', 'app://hyperdesk')).toBe(false);
    expect(isConsoleWindowUrl('https://evil.example/#console=x', 'app://hyperdesk')).toBe(false);
    expect(isConsoleWindowUrl('app://other/index.html#console=x', 'app://hyperdesk')).toBe(false);
  });
});
