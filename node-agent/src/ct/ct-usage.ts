// A container's usage from its cgroups and its history. Not built yet: refuses as not-supported.
import { AppError } from '../api/errors';
import type { ParsedParams, Result } from '../api';
import type { CtService } from './ct-service';

export const ctMetrics = async (_cts: CtService, request: ParsedParams<'ct.metrics'>): Promise<Result<'ct.metrics'>> => {
  throw new AppError('not-supported', `CT ${request.vmid}: metrics are not built yet`, { vmid: request.vmid });
};
