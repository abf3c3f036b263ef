// Importing a PVE lxc/<ctid>.conf verbatim. Not built yet: refuses as not-supported.
import { AppError } from '../api/errors';
import type { CtService } from './ct-service';

export const importCt = async (_cts: CtService, vmid: number, _conf: string): Promise<{ digest: string }> => {
  throw new AppError('not-supported', `CT ${vmid}: import is not built yet`, { vmid });
};
