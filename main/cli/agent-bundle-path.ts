// Where hdctl finds the agent bundle it deploys: HYPERDESK_AGENT_BUNDLE, else dist/agent/hyperdesk-agent.js
// of this checkout, seen from the built CLI (dist/main/hdctl.js) or from the source (main/cli/hdctl.ts under tsx).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../node-agent/src/api';

export const bundleCandidates = (moduleUrl: string): string[] => [
  ...new Set([
    fileURLToPath(new URL('../agent/hyperdesk-agent.js', moduleUrl)),
    fileURLToPath(new URL('../../dist/agent/hyperdesk-agent.js', moduleUrl)),
  ]),
];

export const findAgentBundle = (moduleUrl: string, env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string => {
  const fromEnv = env.HYPERDESK_AGENT_BUNDLE;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (exists(fromEnv)) return fromEnv;
    throw new AppError('not-found', `the agent bundle ${fromEnv} (HYPERDESK_AGENT_BUNDLE) does not exist`);
  }
  const candidates = bundleCandidates(moduleUrl);
  const found = candidates.find(exists);
  if (found) return found;
  throw new AppError('not-found', `the agent bundle is missing (looked for ${candidates.join(' and ')}) — run npm run build first`);
};
