// The browser host as a person starts it (the built bundle), for the end-to-end tests: resolves with its URL.
import { spawn, type ChildProcess } from 'node:child_process';

export const startWebHost = (configDir: string) =>
  new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    const child = spawn('node', ['dist/main/web-host.js', '--config-dir', configDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.on('exit', (code) => reject(new Error(`the browser host exited with ${code}`)));
  });
