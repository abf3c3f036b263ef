// How one saved node authenticates: the methods to offer in order, keys read and decrypted up front,
// and the person's answers to keyboard-interactive rounds, passed through as the server asked them.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
// ssh2 is CommonJS: Node's ESM loader sees only some of its names, `utils` not among them; the default import has all.
import ssh2, {
  type AuthenticationType,
  type AuthHandlerMiddleware,
  type KeyboardInteractiveCallback,
  type ParsedKey,
  type Prompt,
} from 'ssh2';
import { AppError } from '../../node-agent/src/api';
import type { NodeKey, SavedAuth } from './config-schema';
import type { AuthPrompter, AuthPromptRequest } from './node-session-api';

export interface AuthInput {
  host: string;
  port: number;
  user: string;
  auth: SavedAuth;
  secret?: string | undefined;
  prompt?: AuthPrompter | undefined;
  nodeKey: NodeKey;
}

export interface PreparedAuth {
  authHandler: AuthHandlerMiddleware;
  /** Method names offered so far, for the failure message. */
  readonly tried: string[];
}

const authError = (message: string, extra: Record<string, unknown> = {}) =>
  new AppError('access-denied', message, { reason: 'auth', ...extra });

const expandHome = (path: string): string => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);

/** Ask the person one hidden question (a password or passphrase) through the same prompter as keyboard-interactive. */
const askSecret = async (
  input: AuthInput,
  name: string,
  instructions: string,
  prompt: string,
): Promise<string | undefined> => {
  if (!input.prompt) return undefined;
  const answers = await input.prompt({ node: input.nodeKey, name, instructions, prompts: [{ prompt, echo: false }] });
  if (answers === null) throw new AppError('cancelled', `connecting to ${input.nodeKey} was cancelled`);
  return answers[0];
};

/** Read and decrypt the private key now, so a missing file or a bad passphrase is a clear error, not "auth failed". */
export const loadPrivateKey = async (input: AuthInput, keyPath: string): Promise<ParsedKey> => {
  const path = expandHome(keyPath);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw authError(`cannot read the SSH key ${path} for ${input.nodeKey}: ${(error as Error).message}`, {
      keyPath: path,
    });
  }
  let passphrase = input.secret;
  let parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error && passphrase === undefined && /no passphrase given/i.test(parsed.message)) {
    passphrase = await askSecret(
      input,
      'Key passphrase',
      `The SSH key ${path} is encrypted.`,
      `Passphrase for ${path}:`,
    );
    if (passphrase === undefined)
      throw authError(`the SSH key ${path} is encrypted — save its passphrase for ${input.nodeKey}`, {
        keyPath: path,
        needsSecret: true,
      });
    parsed = ssh2.utils.parseKey(data, passphrase);
  }
  if (parsed instanceof Error) {
    const wrong = passphrase !== undefined && /passphrase|integrity|malformed/i.test(parsed.message);
    throw authError(
      wrong
        ? `the passphrase for the SSH key ${path} is wrong`
        : `the SSH key ${path} cannot be used: ${parsed.message}`,
      { keyPath: path, ...(wrong ? { needsSecret: true } : {}) },
    );
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (key === undefined || !key.isPrivateKey()) throw authError(`${path} is not a private key`, { keyPath: path });
  return key;
};

/**
 * Build ssh2's authHandler for the saved method. `abort` ends the attempt with an error (a cancelled
 * prompt); the handler itself only ever offers methods the server still accepts.
 */
export const prepareAuth = async (input: AuthInput, abort: (error: AppError) => void): Promise<PreparedAuth> => {
  const { user: username, auth } = input;
  const tried: string[] = [];

  const interactive = (firstAnswer?: string) => {
    let rounds = 0;
    return (
      name: string,
      instructions: string,
      _lang: string,
      prompts: Prompt[],
      finish: KeyboardInteractiveCallback,
    ) => {
      rounds += 1;
      // Servers may send an empty round to finish the exchange; there is nothing to show.
      if (prompts.length === 0 && name === '' && instructions === '') return finish([]);
      // With the password method, a lone hidden prompt in the first round is the password (PAM's usual question).
      if (firstAnswer !== undefined && rounds === 1 && prompts.length === 1 && prompts[0]?.echo !== true)
        return finish([firstAnswer]);
      if (!input.prompt) {
        abort(
          authError(`${input.host} asks questions to log in (keyboard-interactive) and nobody can answer them here`),
        );
        return;
      }
      const request: AuthPromptRequest = {
        node: input.nodeKey,
        name,
        instructions,
        prompts: prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true })),
      };
      input.prompt(request).then(
        (answers) => {
          if (answers === null) return abort(new AppError('cancelled', `logging in to ${input.nodeKey} was cancelled`));
          try {
            finish(answers);
          } catch {
            // the attempt already ended (cancelled, timed out): nobody is listening for the answers
          }
        },
        (error: unknown) => abort(AppError.from(error)),
      );
    };
  };

  type Offer = { name: AuthenticationType; build: () => Parameters<Parameters<AuthHandlerMiddleware>[2]>[0] };
  const offers: Offer[] = [];
  switch (auth.method) {
    case 'key': {
      const key = await loadPrivateKey(input, auth.keyPath);
      offers.push({ name: 'publickey', build: () => ({ type: 'publickey', username, key }) });
      break;
    }
    case 'agent': {
      const socket = auth.agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '')
        throw authError(
          `no ssh-agent to log in to ${input.nodeKey} with: SSH_AUTH_SOCK is not set — start ssh-agent or choose its socket`,
        );
      offers.push({ name: 'agent', build: () => ({ type: 'agent', username, agent: socket }) });
      break;
    }
    case 'password': {
      const password =
        input.secret ??
        (await askSecret(
          input,
          'Password',
          `Log in to ${input.host} as ${username}.`,
          `Password for ${username}@${input.host}:`,
        ));
      if (password === undefined)
        throw authError(`no password saved for ${username}@${input.host}`, { needsSecret: true });
      offers.push({ name: 'password', build: () => ({ type: 'password', username, password }) });
      offers.push({
        name: 'keyboard-interactive',
        build: () => ({ type: 'keyboard-interactive', username, prompt: interactive(password) }),
      });
      break;
    }
    case 'keyboard-interactive':
      offers.push({
        name: 'keyboard-interactive',
        build: () => ({ type: 'keyboard-interactive', username, prompt: interactive() }),
      });
      break;
  }

  const authHandler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, next) => {
    // methodsLeft is null before the first attempt (typed as an array by @types/ssh2).
    const allowed = methodsLeft as AuthenticationType[] | null;
    for (let offer = offers.shift(); offer !== undefined; offer = offers.shift()) {
      const serverTakes =
        allowed === null || allowed.includes(offer.name) || (offer.name === 'agent' && allowed.includes('publickey'));
      if (!serverTakes) continue;
      tried.push(offer.name);
      return next(offer.build());
    }
    return next(false as unknown as AuthenticationType);
  };
  return { authHandler, tried };
};
