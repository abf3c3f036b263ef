// The hdctl command tree, generated from the contract: `node.status` is `hdctl node status`, params are
// flags, the first required string param (or a guest's vmid) may be given positionally. Front ends add their own commands.
import { methods, methodNames, PROTOCOL_VERSION, type MethodName } from '../api';
import type { Privilege } from '../api/method';
import { paramSpecs, type ParamSpec } from './param-spec';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** A command a front end adds (the workstation adds `node list`). */
export interface CliCommand {
  readonly path: readonly string[];
  readonly doc: string;
  /** What follows the command words in a usage line, e.g. `[--all]`. */
  readonly usage?: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export interface MethodCommand {
  readonly kind: 'method';
  readonly path: readonly string[];
  readonly method: MethodName;
  readonly doc: string;
  readonly privilege: Privilege;
  readonly task: boolean;
  readonly params: readonly ParamSpec[];
  /** The param that may be given as a bare word. */
  readonly positional?: ParamSpec;
  /** Params hdctl fills in itself (still overridable by flag). */
  readonly presets: Readonly<Record<string, unknown>>;
}

export interface ExtraCommand extends CliCommand {
  readonly kind: 'extra';
}

export interface BuiltinCommand {
  readonly kind: 'builtin';
  readonly path: readonly string[];
  readonly doc: string;
  readonly usage: string;
  readonly name: 'help' | 'completion' | 'man';
}

export type Command = MethodCommand | ExtraCommand | BuiltinCommand;

export interface CommandGroup {
  readonly words: readonly string[];
  readonly children: Map<string, CommandGroup>;
  command?: Command;
}

/** Methods that only mean something inside a long-lived session: not commands. */
export const SESSION_ONLY_METHODS: readonly MethodName[] = ['rpc.cancel', 'events.subscribe', 'events.unsubscribe'];

const PRESETS: Partial<Record<MethodName, Record<string, unknown>>> = {
  hello: { protocolVersion: PROTOCOL_VERSION, client: 'hdctl' },
};

const BUILTINS: BuiltinCommand[] = [
  {
    kind: 'builtin',
    name: 'help',
    path: ['help'],
    doc: 'Show the commands, or the help of one command or area.',
    usage: '[command words…]',
  },
  {
    kind: 'builtin',
    name: 'completion',
    path: ['completion'],
    doc: 'Print a shell completion script (bash).',
    usage: 'bash',
  },
  { kind: 'builtin', name: 'man', path: ['man'], doc: 'Print the manual page (roff).', usage: '' },
];

export const methodCommand = (method: MethodName): MethodCommand => {
  const spec = methods[method];
  const presets = PRESETS[method] ?? {};
  const params = paramSpecs(spec.params);
  // A guest's vmid reads best positionally too (`hdctl vm start 100`, as `qm start 100`).
  const positional = params.find(
    (param) => param.required && (param.kind === 'string' || param.key === 'vmid') && !(param.key in presets),
  );
  return {
    kind: 'method',
    path: method.split('.'),
    method,
    doc: spec.doc,
    privilege: spec.privilege,
    task: 'task' in spec && spec.task === true,
    params,
    ...(positional ? { positional } : {}),
    presets,
  };
};

export class CommandTree {
  readonly root: CommandGroup = { words: [], children: new Map() };

  constructor(extra: readonly CliCommand[] = []) {
    for (const method of methodNames) if (!SESSION_ONLY_METHODS.includes(method)) this.add(methodCommand(method));
    for (const builtin of BUILTINS) this.add(builtin);
    for (const command of extra) this.add({ ...command, kind: 'extra', run: command.run.bind(command) });
  }

  /** Every command, in tree order (as the contract defines them, then the built-ins and extras). */
  commands(): Command[] {
    const found: Command[] = [];
    const walk = (group: CommandGroup) => {
      if (group.command) found.push(group.command);
      for (const child of group.children.values()) walk(child);
    };
    walk(this.root);
    return found;
  }

  /** Every group with children (the root is words []). */
  groups(): CommandGroup[] {
    const found: CommandGroup[] = [];
    const walk = (group: CommandGroup) => {
      if (group.children.size > 0) found.push(group);
      for (const child of group.children.values()) walk(child);
    };
    walk(this.root);
    return found;
  }

  /** Follow words down the tree as far as they go. */
  walk(words: readonly string[]): { group: CommandGroup; used: number } {
    let group = this.root;
    let used = 0;
    for (const word of words) {
      const child = group.children.get(word);
      if (!child) break;
      group = child;
      used += 1;
    }
    return { group, used };
  }

  private add(command: Command): void {
    let group = this.root;
    for (const word of command.path) {
      let child = group.children.get(word);
      if (!child) {
        child = { words: [...group.words, word], children: new Map() };
        group.children.set(word, child);
      }
      group = child;
    }
    group.command = command;
  }
}
