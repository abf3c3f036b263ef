// The app's version, stamped in by the build (the same number as the agent it carries); '0.0.0-dev' from source.
import { AGENT_VERSION } from '../../node-agent/src/version';

export const APP_VERSION: string = AGENT_VERSION;
