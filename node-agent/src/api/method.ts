// How one RPC method is described: schemas for params and result, the privilege it needs, a doc line.
import type { z } from 'zod';

/** read: look only; operate: start/stop/run tasks; admin: change configuration or the node. */
export type Privilege = 'read' | 'operate' | 'admin';

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
  readonly privilege: Privilege;
  readonly doc: string;
  /** The method starts a task and returns its UPID at once. */
  readonly task?: true;
}

export const defineMethod = <P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>) => spec;

export interface EventSpec<D extends z.ZodType = z.ZodType> {
  readonly data: D;
  readonly doc: string;
}

export const defineEvent = <D extends z.ZodType>(spec: EventSpec<D>) => spec;
