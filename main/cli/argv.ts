// What hdctl does to the command line before the generated command tree sees it: take out --config-dir
// (a workstation option the tree does not know) and accept `node status NODE` as `node status --node NODE`.
import { defaultGlobals, takeGlobal, UsageError } from '../../node-agent/src/cli/parse-args';

/** Remove every --config-dir DIR / --config-dir=DIR (before a `--`); the last one wins. */
export const takeConfigDir = (argv: readonly string[]): { configDir: string | undefined; rest: string[] } => {
  const rest: string[] = [];
  let configDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (word === '--config-dir') {
      const value = argv[i + 1];
      if (value === undefined || value === '') throw new UsageError('--config-dir needs a directory');
      configDir = value;
      i++;
    } else if (word.startsWith('--config-dir=')) {
      configDir = word.slice('--config-dir='.length);
      if (configDir === '') throw new UsageError('--config-dir needs a directory');
    } else {
      rest.push(word);
    }
  }
  return { configDir, rest };
};

/** `node status NODE` names its node positionally (the method itself takes no params): make it --node NODE. */
export const positionalNode = (argv: readonly string[]): string[] => {
  let i = 0;
  try {
    const globals = defaultGlobals();
    while (i < argv.length && argv[i]!.startsWith('-')) {
      const used = takeGlobal(argv, i, globals);
      if (used === 0) return [...argv];
      i += used;
    }
  } catch {
    return [...argv];
  }
  const node = argv[i + 2];
  if (argv[i] !== 'node' || argv[i + 1] !== 'status' || node === undefined || node.startsWith('-')) return [...argv];
  return [...argv.slice(0, i + 2), '--node', node, ...argv.slice(i + 3)];
};
