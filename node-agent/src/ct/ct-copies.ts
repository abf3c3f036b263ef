// Templates and clones of containers (pct template / pct clone). Not built yet: each refuses as not-supported.
import { AppError } from '../api/errors';
import type { ParsedParams } from '../api';
import type { CtService } from './ct-service';

export const templateCt = async (_cts: CtService, vmid: number): Promise<{ upid: string }> => {
  throw new AppError('not-supported', `CT ${vmid}: templates are not built yet`, { vmid });
};

export const cloneCt = async (_cts: CtService, request: ParsedParams<'ct.clone'>): Promise<{ upid: string }> => {
  throw new AppError('not-supported', `CT ${request.vmid}: clones are not built yet`, { vmid: request.vmid });
};
