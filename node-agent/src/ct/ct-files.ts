// Files into and out of a running container (pct push / pct pull). Not built yet: refuses as not-supported.
import { AppError } from '../api/errors';
import type { ParsedParams, Result } from '../api';
import type { CtService } from './ct-service';

export const pushFile = async (_cts: CtService, request: ParsedParams<'ct.push'>): Promise<Result<'ct.push'>> => {
  throw new AppError('not-supported', `CT ${request.vmid}: push is not built yet`, { vmid: request.vmid });
};

export const pullFile = async (_cts: CtService, request: ParsedParams<'ct.pull'>): Promise<Result<'ct.pull'>> => {
  throw new AppError('not-supported', `CT ${request.vmid}: pull is not built yet`, { vmid: request.vmid });
};
