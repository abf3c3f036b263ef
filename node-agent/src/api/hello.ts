// The handshake: the first exchange on every connection.
import { z } from 'zod';
import { defineMethod } from './method';
import { NodeName } from './common';

export const PROTOCOL_VERSION = 1;

export const Capability = z.enum(['node.metrics', 'tasks', 'events']);
export type Capability = z.infer<typeof Capability>;

export const Hello = z.object({
  protocolVersion: z.number().int().positive(),
  agentVersion: z.string(),
  /** sha256 of the running agent bundle: what deployment compares against the one the app carries. */
  agentDigest: z.string(),
  node: NodeName,
  capabilities: z.array(Capability),
});
export type Hello = z.infer<typeof Hello>;

export const helloMethods = {
  hello: defineMethod({
    params: z.object({ protocolVersion: z.number().int().positive(), client: z.string().max(200) }).strict(),
    result: Hello,
    privilege: 'read',
    doc: 'Handshake: protocol version, agent version and digest, node name and capabilities.',
  }),
};
