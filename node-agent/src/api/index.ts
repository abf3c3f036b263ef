// The one contract: every RPC method and event the agent serves, merged from the areas.
import type { z } from 'zod';
import type { MethodSpec } from './method';
import { helloMethods } from './hello';
import { nodeMethods } from './node';
import { taskMethods } from './task';
import { eventMethods } from './events';
import { storageMethods } from './storage';
import { vmMethods } from './vm';
import { ctMethods } from './ct';

export const methods = {
  ...helloMethods,
  ...nodeMethods,
  ...taskMethods,
  ...eventMethods,
  ...storageMethods,
  ...vmMethods,
  ...ctMethods,
} satisfies Record<string, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (defaults may be omitted). */
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
/** What a handler receives after validation (defaults filled). */
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

export const methodNames = Object.keys(methods) as MethodName[];
export const isMethodName = (name: string): name is MethodName => Object.hasOwn(methods, name);

export * from './errors';
export * from './common';
export * from './hello';
export * from './node';
export * from './task';
export * from './guest';
export * from './events';
export * from './storage';
export * from './vm';
export * from './ct';
export type { MethodSpec, Privilege, EventSpec } from './method';
