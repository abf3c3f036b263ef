// Arguments of the hand-written commands (ct push/pull/enter): bare words in a fixed order, named --flag VALUE
// options, and the global options every command takes. Anything else is a UsageError naming the command.
import { defaultGlobals, takeGlobal, UsageError, type GlobalOptions } from './parse-args';

export interface ExtraArgs {
  words: string[];
  flags: Record<string, string>;
  globals: GlobalOptions;
}

export const parseExtraArgs = (
  command: readonly string[],
  args: readonly string[],
  spec: { words: readonly string[]; flags?: readonly string[] },
): ExtraArgs => {
  const globals = defaultGlobals();
  const words: string[] = [];
  const flags: Record<string, string> = {};
  const name = command.join(' ');
  let onlyWords = false;
  for (let i = 0; i < args.length; ) {
    const word = args[i]!;
    if (!onlyWords && word === '--') {
      onlyWords = true;
      i += 1;
      continue;
    }
    if (!onlyWords && word.startsWith('-') && word !== '-') {
      const used = takeGlobal(args, i, globals);
      if (used > 0) {
        i += used;
        continue;
      }
      const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(word);
      const flag = match?.[1];
      if (flag === undefined || !(spec.flags ?? []).includes(flag))
        throw new UsageError(`unknown option ${word} for '${name}'${spec.flags?.length ? ` (its flags: ${spec.flags.map((f) => `--${f}`).join(', ')})` : ''}`, command);
      const value = match?.[2] ?? args[i + 1];
      if (value === undefined) throw new UsageError(`--${flag} needs a value`, command);
      if (flag in flags) throw new UsageError(`--${flag} is given twice`, command);
      flags[flag] = value;
      i += match?.[2] === undefined ? 2 : 1;
      continue;
    }
    words.push(word);
    i += 1;
  }
  if (words.length !== spec.words.length)
    throw new UsageError(`'${name}' needs ${spec.words.join(' ')}${words.length > spec.words.length ? `, not also ${JSON.stringify(words[spec.words.length])}` : ''}`, command);
  return { words, flags, globals };
};

/** A vmid word (100–999999999), or a UsageError. */
export const vmidWord = (command: readonly string[], word: string): number => {
  const vmid = /^\d{3,9}$/.test(word) ? Number(word) : Number.NaN;
  if (!(vmid >= 100)) throw new UsageError(`VMID wants a number from 100 to 999999999, not ${JSON.stringify(word)}`, command);
  return vmid;
};
