// A storage as one node sees it (PVE's node → storage): Summary (status, usage, history) and Content.
import { useState } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tabs from '@mui/material/Tabs';
import Tab from '@mui/material/Tab';
import Typography from '@mui/material/Typography';
import StorageRounded from '@mui/icons-material/StorageRounded';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { OfflineBanner } from '../nodes/offline-banner';
import { splitStorageKey } from './storage-format';
import { StorageSummary } from './storage-summary';
import { ContentBrowser } from './content-browser';

export function StoragePage({ storageKey }: { storageKey: string }) {
  const t = useT();
  const { nodeKey, storage } = splitStorageKey(storageKey);
  const nodeName = useAppStore((s) => s.nodes[nodeKey]?.name ?? nodeKey);
  const entry = useAppStore((s) => s.storages[nodeKey]?.[storage]);
  const [tab, setTab] = useState<'summary' | 'content'>('summary');
  if (entry === undefined) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }} data-testid="storage-page">
        {t('storage.notFound', { storage, node: nodeName })}
      </Typography>
    );
  }
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="storage-page">
      <Box sx={{ px: 2.5, pt: 1.5, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider' }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <StorageRounded color="action" />
          <Typography variant="h6">{t('storage.title', { storage, node: nodeName })}</Typography>
          <Chip size="small" label={entry.type} variant="outlined" />
          {!entry.enabled && <Chip size="small" label={t('storage.disabled')} />}
          {entry.enabled && !entry.active && <Chip size="small" color="warning" label={t('storage.inactive')} />}
        </Box>
        <Tabs value={tab} onChange={(_, value: 'summary' | 'content') => setTab(value)} sx={{ mt: 0.5 }}>
          <Tab value="summary" label={t('storage.tab.summary')} data-testid="storage-tab-summary" />
          <Tab value="content" label={t('storage.tab.content')} data-testid="storage-tab-content" />
        </Tabs>
      </Box>
      <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5, flex: 1, minHeight: 0 }}>
        <OfflineBanner nodeKey={nodeKey} />
        {tab === 'summary' ? (
          <StorageSummary nodeKey={nodeKey} storage={storage} />
        ) : (
          <ContentBrowser nodeKey={nodeKey} storage={storage} />
        )}
      </Box>
    </Box>
  );
}
