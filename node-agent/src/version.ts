// The agent's version, stamped in by the build; '0.0.0-dev' when run from source.
declare const __HYPERDESK_VERSION__: string | undefined;

export const AGENT_VERSION: string = typeof __HYPERDESK_VERSION__ === 'string' ? __HYPERDESK_VERSION__ : '0.0.0-dev';
