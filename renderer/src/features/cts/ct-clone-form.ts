// The Clone dialog as data (PVE's Clone CT): the new id, hostname, full or linked copy and target storage, checked
// per field (message keys), and the ct.clone params they make. Pure, so it is tested without a DOM.
import type { Params } from '../../../../node-agent/src/api';
import type { MessageKey } from '../../i18n/translate';
import { DNS_NAME, intIn } from './ct-form';

export interface CtCloneValues {
  newid: string;
  /** '' keeps the source's hostname. */
  hostname: string;
  /** A full copy; a linked clone (false) shares a template's base volumes. */
  full: boolean;
  /** Where a full clone's volumes go; '' = each volume's own storage. */
  storage: string;
}

export type CtCloneErrors = Partial<Record<'newid' | 'hostname' | 'full', MessageKey>>;

/** A template is cloned linked by default (as PVE does), anything else fully. */
export const emptyCtClone = (template: boolean): CtCloneValues => ({
  newid: '',
  hostname: '',
  full: !template,
  storage: '',
});

export function validateCtClone(v: CtCloneValues, source: { vmid: number; template: boolean }): CtCloneErrors {
  const e: CtCloneErrors = {};
  if (!intIn(v.newid, 100, 999_999_999)) e.newid = 'vmForm.invalid.vmid';
  else if (Number(v.newid) === source.vmid) e.newid = 'ct.clone.invalid.sameId';
  if (v.hostname !== '' && !DNS_NAME.test(v.hostname)) e.hostname = 'vmForm.invalid.name';
  if (!v.full && !source.template) e.full = 'ct.clone.invalid.linkedNeedsTemplate';
  return e;
}

export function toCtCloneParams(vmid: number, v: CtCloneValues): Params<'ct.clone'> {
  return {
    vmid,
    newid: Number(v.newid),
    full: v.full,
    ...(v.hostname === '' ? {} : { hostname: v.hostname }),
    // A linked clone's volumes stay beside the template's base volumes.
    ...(v.full && v.storage !== '' ? { storage: v.storage } : {}),
  };
}
