// `hdctl ct enter VMID` (pct enter): an interactive root shell in a running container. The front end supplies the
// terminal: on a node lxc-attach runs on hdctl's own terminal; on the workstation the app's console bridge carries it.
// The command checks the container first so a stopped or missing one fails before the terminal goes raw.
import { AppError } from '../api';
import type { CliCommand } from './command-tree';
import type { TargetedCall } from './ct-transfer';
import { parseExtraArgs, vmidWord } from './extra-args';

/** Runs the shell on this process's terminal until it ends; resolves with its exit code. */
export type EnterCt = (vmid: number, target: { node?: string }) => Promise<number>;

const WORDS = ['ct', 'enter'] as const;

export const ctEnterCommand = (call: TargetedCall, enter: EnterCt | undefined): CliCommand => ({
  path: WORDS,
  doc: "Open a root shell in a running container (pct enter): the terminal is raw until the shell exits, window size changes follow, and the shell's exit code is hdctl's.",
  usage: 'VMID [--node NAME]',
  async run(args) {
    const { words, globals } = parseExtraArgs(WORDS, args, { words: ['VMID'] });
    const vmid = vmidWord(WORDS, words[0]!);
    const target = globals.node === undefined ? {} : { node: globals.node };
    const { status } = await call('ct.status', { vmid }, target);
    if (status !== 'running') throw new AppError('not-supported', `CT ${vmid} is ${status} — start it first`, { vmid });
    if (enter === undefined) throw new AppError('not-supported', `CT ${vmid}: this hdctl cannot open a terminal — run hdctl ct enter on the workstation or on the node`, { vmid });
    return enter(vmid, target);
  },
});
