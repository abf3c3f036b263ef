import { describe, expect, it } from 'vitest';
import { injectWebPreload } from './index-html';

const vite = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Hyperdesk</title>
    <script type="module" crossorigin src="./assets/index-DxY1.js"></script>
    <link rel="stylesheet" crossorigin href="./assets/index-Ab3.css">
  </head>
  <body><div id="root"></div></body>
</html>`;

describe('injectWebPreload', () => {
  it('puts the preload right before the module script', () => {
    const html = injectWebPreload(vite);
    const preload = html.indexOf('<script src="web-preload.js"></script>');
    expect(preload).toBeGreaterThan(html.indexOf('<title>'));
    expect(preload).toBeLessThan(html.indexOf('<script type="module"'));
    expect(html.match(/web-preload\.js/g)).toHaveLength(1);
  });

  it('falls back to the end of <head> without a module script', () => {
    const html = injectWebPreload('<html><head><title>x</title></head><body></body></html>');
    expect(html).toBe('<html><head><title>x</title><script src="web-preload.js"></script>\n</head><body></body></html>');
  });

  it('refuses a page it cannot place the preload in', () => {
    expect(() => injectWebPreload('<p>hello</p>')).toThrow(expect.objectContaining({ code: 'internal-error' }));
  });
});
