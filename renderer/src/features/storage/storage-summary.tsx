// A storage's Summary: type, content, whether it is enabled and active, its usage, and the usage history chart.
import Alert from '@mui/material/Alert';
import { useAppStore } from '../../store/store';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';
import { useLanguage, useT } from '../../i18n/use-t';
import { contentTabs, usageAmounts } from './storage-format';
import { StorageChart } from './storage-chart';

export function StorageSummary({ nodeKey, storage }: { nodeKey: string; storage: string }) {
  const t = useT();
  const language = useLanguage();
  const entry = useAppStore((s) => s.storages[nodeKey]?.[storage]);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  if (entry === undefined) return null;
  const yesNo = (value: boolean) => t(value ? 'storage.yes' : 'storage.no');
  const sized = entry.total > 0;
  const amounts = usageAmounts(entry, language);
  return (
    <>
      {entry.error !== undefined && (
        <Alert severity="warning">{t('storage.statusError', { storage, message: entry.error })}</Alert>
      )}
      <FactsCard dimmed={!online}>
        <FactRow label={t('storage.type')} value={entry.type} />
        <FactRow
          label={t('storage.content')}
          value={contentTabs(entry.content)
            .map((c) => t(`content.${c}`))
            .join(t('storage.listSeparator'))}
        />
        <FactRow label={t('storage.enabled')} value={yesNo(entry.enabled)} />
        <FactRow label={t('storage.active')} value={yesNo(entry.active)} testId="storage-active" />
        <UsageRow
          label={t('storage.usage')}
          usage={sized ? { used: entry.used, total: entry.total } : undefined}
          testId="storage-usage"
        />
        <FactRow label={t('storage.total')} value={sized ? amounts.total : '–'} />
        <FactRow label={t('storage.used')} value={sized ? amounts.used : '–'} />
        <FactRow label={t('storage.avail')} value={sized ? amounts.avail : '–'} />
      </FactsCard>
      <StorageChart nodeKey={nodeKey} storage={storage} dimmed={!online} />
    </>
  );
}
