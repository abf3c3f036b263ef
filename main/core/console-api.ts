// The app-contract entries for VM consoles (to be merged into appMethods in app-api.ts), and the one place the
// remote console command is built: a constant launcher plus a validated vmid and kind, never free text.
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api/errors';
import { Vmid } from '../../node-agent/src/api/guest';
import { consoleKinds, type ConsoleKind } from '../../node-agent/src/vm/console-relay';
import { NodeKeySchema } from './config-schema';

export const ConsoleKindSchema = z.enum(consoleKinds);

/** One terminal dimension: xterm.js never asks for more than this. */
const TerminalSize = z.number().int().min(1).max(1000);

export const consoleMethods = {
  /**
   * Open a console on a VM or a container (vmid is the ctid for ct-console, ct-shell): a one-shot ws://127.0.0.1 URL
   * that noVNC (vnc) or xterm.js (serialN, ct-console, ct-shell) opens within 10 s.
   */
  'console.open': {
    params: z
      .object({
        node: NodeKeySchema,
        vmid: Vmid,
        kind: ConsoleKindSchema,
        cols: TerminalSize.optional(),
        rows: TerminalSize.optional(),
      })
      .strict(),
    result: z.object({ consoleId: z.string(), url: z.string() }),
  },
  /** The terminal's new size (xterm.js fit); a no-op for VNC. */
  'console.resize': {
    params: z.object({ consoleId: z.string().max(100), cols: TerminalSize, rows: TerminalSize }).strict(),
    result: z.object({}),
  },
  'console.close': { params: z.object({ consoleId: z.string().max(100) }).strict(), result: z.object({}) },
} as const;

/** `console <vmid> <kind>` for remoteAgentCommand; throws invalid-params for anything the agent would refuse. */
export const consoleSubcommand = (vmid: number, kind: ConsoleKind): `console ${number} ${ConsoleKind}` => {
  if (!Vmid.safeParse(vmid).success) throw new AppError('invalid-params', `${vmid} is not a vmid (100–999999999)`);
  if (!ConsoleKindSchema.safeParse(kind).success)
    throw new AppError('invalid-params', `${String(kind)} is not a console kind`);
  return `console ${vmid} ${kind}`;
};
