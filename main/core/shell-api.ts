// The app-contract entries for node shells (to be merged into appMethods in app-api.ts beside consoleMethods). A
// shell is a console of ConsoleBridges: console.resize and console.close serve it with the consoleId it returns.
import { z } from 'zod';
import { NodeKeySchema } from './config-schema';

/** One terminal dimension, as console.open takes it. */
const TerminalSize = z.number().int().min(1).max(1000);

export const shellMethods = {
  /** Open a root login shell on the node, in a pty: a one-shot ws://127.0.0.1 URL that xterm.js opens within 10 s. */
  'shell.open': {
    params: z.object({ node: NodeKeySchema, cols: TerminalSize.optional(), rows: TerminalSize.optional() }).strict(),
    result: z.object({ consoleId: z.string(), url: z.string() }),
  },
} as const;
