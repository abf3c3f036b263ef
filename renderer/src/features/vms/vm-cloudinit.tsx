// The Cloud-init tab: the ci* keys, ipconfig and DNS, and the generated user/network documents. The drive is
// regenerated from these keys when the VM next starts.
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useT } from '../../i18n/use-t';
import { vmCloudinit } from './actions';
import { ConfigKeyList, type KeySpec } from './config-key-list';
import { encodeSshKeys } from './vm-form';
import type { VmTabProps } from './vm-tab-props';

const decodeKeys = (stored: string): string => {
  try {
    return decodeURIComponent(stored);
  } catch {
    return stored;
  }
};

const specs: readonly KeySpec[] = [
  { key: 'ciuser', label: 'vm.ci.user', kind: 'text' },
  { key: 'cipassword', label: 'vm.ci.password', kind: 'secret' },
  { key: 'sshkeys', label: 'vm.ci.sshkeys', kind: 'multiline', decode: decodeKeys, encode: encodeSshKeys },
  { key: 'ipconfig0', label: 'vm.ci.ipconfig0', kind: 'text' },
  { key: 'nameserver', label: 'vm.ci.nameserver', kind: 'text' },
  { key: 'searchdomain', label: 'vm.ci.searchdomain', kind: 'text' },
];

export function VmCloudinit(props: VmTabProps) {
  const t = useT();
  const [docs, setDocs] = useState<{ user: string; network: string } | null>(null);
  const { nodeKey, vmid, data } = props;
  useEffect(() => {
    let cancelled = false;
    void Promise.all([vmCloudinit(nodeKey, vmid, 'user'), vmCloudinit(nodeKey, vmid, 'network')])
      .then(([user, network]) => !cancelled && setDocs({ user: user.text, network: network.text }))
      .catch(() => !cancelled && setDocs(null));
    return () => {
      cancelled = true;
    };
  }, [nodeKey, vmid, data.digest]);
  return (
    <>
      <Alert severity="info" data-testid="vm-ci-note">
        {t('vm.ci.regenerate')}
      </Alert>
      <ConfigKeyList {...props} specs={specs} testId="vm-cloudinit" />
      {docs && (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 1.5 }}>
          {(['user', 'network'] as const).map((kind) => (
            <Box key={kind}>
              <Typography variant="subtitle2">{t(`vm.ci.doc.${kind}`)}</Typography>
              <Box component="pre" sx={{ m: 0, p: 1, fontSize: 12, bgcolor: 'action.hover', borderRadius: 1, overflow: 'auto' }}>
                {docs[kind]}
              </Box>
            </Box>
          ))}
        </Box>
      )}
    </>
  );
}
