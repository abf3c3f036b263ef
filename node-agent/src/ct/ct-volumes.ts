// Growing a container's volumes (pct resize). Not built yet: refuses as not-supported.
import { AppError } from '../api/errors';
import type { ParsedParams } from '../api';
import type { CtService } from './ct-service';

export const resizeCt = async (_cts: CtService, request: ParsedParams<'ct.resize'>): Promise<{ upid: string }> => {
  throw new AppError('not-supported', `CT ${request.vmid}: resize is not built yet`, { vmid: request.vmid });
};
