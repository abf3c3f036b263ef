// The app's inner contract: every call the renderer may make of main and every event main sends it.
// main validates each payload with these schemas; preload/api.ts derives window.hyperdesk's type from them.
import { z } from 'zod';
import { methods, WireError, type MethodName, type Params, type Result } from '../../node-agent/src/api';
import { ContentFileName } from '../../node-agent/src/api/storage';
import { StorageId } from '../../node-agent/src/storage/plugin';
import { AuthMethod, Host, NodeKeySchema, SavedCluster } from './config-schema';
import { Inventory, InventoryPatch } from './inventory-schema';
import { consoleMethods } from './console-api';
import { shellMethods } from './shell-api';

export const HostKeyInfo = z.object({
  host: z.string(),
  port: z.number().int(),
  /** OpenSSH key type, e.g. ssh-ed25519. */
  keyType: z.string(),
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: z.string(),
  /** new: never seen; known: matches known_hosts; changed: differs from known_hosts (refused). */
  match: z.enum(['new', 'known', 'changed']),
});
export type HostKeyInfo = z.infer<typeof HostKeyInfo>;

export const AddNodeInput = z.object({
  cluster: z.string().min(1).max(100),
  name: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/).optional(),
  host: Host,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(64),
  auth: AuthMethod,
  keyPath: z.string().optional(),
  /** A secret for this attempt (password or key passphrase); saved only through the OS keychain. */
  secret: z.string().max(4096).optional(),
  /** The fingerprint the person confirmed; must equal the one the host presents. */
  acceptedFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint'),
});
export type AddNodeInput = z.input<typeof AddNodeInput>;

export const Language = z.enum(['en', 'zh-CN']);
export type Language = z.infer<typeof Language>;
export const Preferences = z.object({
  theme: z.enum(['light', 'dark', 'system']).default('system'),
  language: Language.default('en'),
});
export type Preferences = z.infer<typeof Preferences>;

export const AuthPrompt = z.object({
  promptId: z.string(),
  node: z.string(),
  name: z.string(),
  instructions: z.string(),
  prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
});
export type AuthPrompt = z.infer<typeof AuthPrompt>;

/** An ISO image or container template uploaded from this computer to a node's storage (storage-upload.ts). */
export const UploadRequest = z
  .object({
    node: NodeKeySchema,
    storage: StorageId,
    content: z.enum(['iso', 'vztmpl']),
    /** The local file (absolute, or relative to main's working directory). */
    path: z.string().min(1).max(4096),
    /** The name on the node; the local file's name when omitted. */
    filename: ContentFileName.optional(),
  })
  .strict();
export type UploadRequest = z.infer<typeof UploadRequest>;

export const UploadState = z.enum(['hashing', 'uploading', 'verifying', 'done', 'failed', 'cancelled']);
export type UploadState = z.infer<typeof UploadState>;

export const UploadProgress = z.object({
  uploadId: z.string(),
  node: NodeKeySchema,
  storage: StorageId,
  content: z.enum(['iso', 'vztmpl']),
  filename: z.string(),
  state: UploadState,
  /** Bytes on the node (resumed bytes included) of total; 0 while 'hashing' (reading the file's fingerprint). */
  sent: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** The local file's sha256 (hashed while it is sent), known from 'verifying' on; the node checked it when 'done'. */
  sha256: z.string().optional(),
  /** The new volume, when 'done'. */
  volid: z.string().optional(),
  /** Why, when 'failed'. */
  error: WireError.optional(),
});
export type UploadProgress = z.infer<typeof UploadProgress>;

export const FileFilter = z.object({ name: z.string().max(100), extensions: z.array(z.string().max(20)).max(20) }).strict();

const AgentCall = z.object({ node: NodeKeySchema, method: z.string(), params: z.unknown() });

export const appMethods = {
  'inventory.snapshot': { params: z.object({}).strict(), result: Inventory },
  'connections.list': { params: z.object({}).strict(), result: z.array(SavedCluster) },
  'connections.probeHostKey': {
    params: z.object({ host: Host, port: z.number().int().min(1).max(65535).default(22) }).strict(),
    result: HostKeyInfo,
  },
  'connections.addNode': { params: AddNodeInput, result: z.object({ node: NodeKeySchema }) },
  'connections.removeNode': { params: z.object({ node: NodeKeySchema }).strict(), result: z.object({}) },
  /** After a node was reinstalled: replace its recorded host key with the one the person confirmed, then reconnect. */
  'connections.trustHostKey': {
    params: z
      .object({ node: NodeKeySchema, acceptedFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint') })
      .strict(),
    result: HostKeyInfo,
  },
  'auth.respond': {
    params: z.object({ promptId: z.string(), answers: z.array(z.string().max(4096)).nullable() }).strict(),
    result: z.object({}),
  },
  'preferences.get': { params: z.object({}).strict(), result: Preferences },
  'preferences.set': { params: Preferences.partial(), result: Preferences },
  /** Forward one agent method to one node; params are validated against the agent contract in main. */
  'agent.call': { params: AgentCall, result: z.unknown() },
  /** Start uploading a local ISO image or container template to a node's storage; progress comes as upload.progress. */
  'storage.upload': { params: UploadRequest, result: z.object({ uploadId: z.string() }) },
  'storage.upload.cancel': { params: z.object({ uploadId: z.string() }).strict(), result: z.object({}) },
  ...consoleMethods,
  ...shellMethods,
  /** A native file picker: only the Electron shell has one (the browser host answers not-supported). */
  'dialogs.openFile': {
    params: z.object({ title: z.string().max(200).optional(), filters: z.array(FileFilter).max(20).optional() }).strict(),
    result: z.object({ path: z.string().nullable() }),
  },
} as const;

export type AppMethods = typeof appMethods;
export type AppMethodName = keyof AppMethods;
export type AppParams<M extends AppMethodName> = z.input<AppMethods[M]['params']>;
export type AppResult<M extends AppMethodName> = z.output<AppMethods[M]['result']>;

export const appEvents = {
  'inventory.patch': InventoryPatch,
  'auth.prompt': AuthPrompt,
  /** Sent by the transport itself when its link to main came back (the browser host restarted or the socket
   *  dropped): events may have been missed, so the renderer reloads what it shows. */
  'connection.restored': z.object({}),
  /** An upload's state, throttled to ≤ 10 per second while bytes move; every state change is sent. */
  'upload.progress': UploadProgress,
} as const;
export type AppEvents = typeof appEvents;
export type AppEventName = keyof AppEvents;
export type AppEventData<E extends AppEventName> = z.output<AppEvents[E]>;

/** contextBridge drops custom fields of Error objects, so results cross as an envelope. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Typed agent call through the app: `agent.call` narrowed by the agent contract. */
export type AgentCallParams<M extends MethodName> = { node: string; method: M; params: Params<M> };
export type AgentCallResult<M extends MethodName> = Result<M>;

export const isAgentMethod = (name: string): name is MethodName => Object.hasOwn(methods, name);
