// index.html as the browser host serves it: the WebSocket preload goes in before the app's module script,
// so window.hyperdesk exists when the app bundle first runs.
import { AppError } from '../../node-agent/src/api/errors';

export const WEB_PRELOAD_FILE = 'web-preload.js';
const tag = `<script src="${WEB_PRELOAD_FILE}"></script>`;

export const injectWebPreload = (html: string): string => {
  const moduleScript = /<script\b[^>]*\btype=["']?module["']?[^>]*>/i.exec(html);
  if (moduleScript !== null) return `${html.slice(0, moduleScript.index)}${tag}\n    ${html.slice(moduleScript.index)}`;
  const headEnd = html.search(/<\/head>/i);
  if (headEnd >= 0) return `${html.slice(0, headEnd)}${tag}\n${html.slice(headEnd)}`;
  throw new AppError('internal-error', 'the renderer index.html has neither a module script nor a </head> — rebuild it with `node build/build.mjs renderer`');
};
