// Datacenter → Storage: storage.cfg's definitions in a virtualized table, with Add, Edit and Remove.
// Hyperdesk's datacenter may hold several clusters, each with its own storage.cfg: the page picks one.
import { memo, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { styled } from '@mui/material/styles';
import AddRounded from '@mui/icons-material/AddRounded';
import EditOutlined from '@mui/icons-material/EditOutlined';
import DeleteOutlineRounded from '@mui/icons-material/DeleteOutlineRounded';
import RefreshRounded from '@mui/icons-material/RefreshRounded';
import type { StorageEntry } from '../../../../node-agent/src/api';
import { useAppStore } from '../../store/store';
import { sortedClusterIds } from '../../store/selectors';
import { useT } from '../../i18n/use-t';
import type { Translate } from '../../i18n/translate';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { tableRowStyle, VirtualTable } from '../../components/virtual-table';
import { removeStorage } from './actions';
import { contentTabs, storageNodes, storageTarget } from './storage-format';
import { StorageFormDialog } from './storage-form-dialog';
import { useStorageConfig } from './use-storage-config';

const ROW_HEIGHT = 30;
const PAD_X = 2;
const columns = 'minmax(110px, 1fr) 80px minmax(180px, 2.2fr) minmax(140px, 1.6fr) 70px 70px minmax(90px, 1fr)';

export function DatacenterStorage({ clusterId }: { clusterId: string | undefined }) {
  const t = useT();
  const clusterIds = useAppStore((s) => sortedClusterIds(s.clusters));
  const clusterNames = useAppStore((s) => s.clusters);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const cluster = clusterId ?? (picked !== undefined && clusterIds.includes(picked) ? picked : clusterIds[0]);
  const config = useStorageConfig(cluster);
  const nodeName = useAppStore((s) => (config.nodeKey === undefined ? '' : (s.nodes[config.nodeKey]?.name ?? '')));
  const [selected, setSelected] = useState<string | null>(null);
  const [form, setForm] = useState<'add' | 'edit' | null>(null);
  const [confirm, setConfirm] = useState(false);
  const byId = useMemo(() => new Map(config.storages.map((s) => [s.id, s])), [config.storages]);
  const ids = useMemo(() => [...byId.keys()], [byId]);
  const selectedEntry = selected === null ? undefined : byId.get(selected);
  const ready = config.nodeKey !== undefined && config.digest !== '';

  return (
    <Card
      sx={{ flex: 1, minHeight: 320, display: 'flex', flexDirection: 'column' }}
      data-testid="datacenter-storage-page"
    >
      <Box sx={{ display: 'flex', gap: 1, px: 2, py: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        {clusterId === undefined && clusterIds.length > 1 && (
          <TextField
            select
            size="small"
            value={cluster ?? ''}
            onChange={(event) => setPicked(event.target.value)}
            slotProps={{ select: { native: true } }}
            sx={{ width: 200 }}
          >
            {clusterIds.map((id) => (
              <option key={id} value={id}>
                {clusterNames[id]?.name ?? id}
              </option>
            ))}
          </TextField>
        )}
        <Button
          size="small"
          variant="contained"
          startIcon={<AddRounded />}
          disabled={!ready}
          onClick={() => setForm('add')}
          data-testid="storage-add"
        >
          {t('dcStorage.add')}
        </Button>
        <Button
          size="small"
          startIcon={<EditOutlined />}
          disabled={!ready || selectedEntry === undefined}
          onClick={() => setForm('edit')}
          data-testid="storage-edit"
        >
          {t('dcStorage.edit')}
        </Button>
        <Button
          size="small"
          color="error"
          startIcon={<DeleteOutlineRounded />}
          disabled={!ready || selectedEntry === undefined}
          onClick={() => setConfirm(true)}
          data-testid="storage-remove"
        >
          {t('dcStorage.remove')}
        </Button>
        <Box sx={{ flex: 1 }} />
        {nodeName !== '' && (
          <Typography variant="caption" color="text.secondary">
            {t('dcStorage.source', { node: nodeName })}
          </Typography>
        )}
        <Button
          size="small"
          startIcon={<RefreshRounded />}
          disabled={config.nodeKey === undefined}
          onClick={config.reload}
        >
          {t('dcStorage.reload')}
        </Button>
      </Box>
      {config.loading && <LinearProgress sx={{ height: 2 }} />}
      {config.nodeKey === undefined && (
        <Alert severity="info" sx={{ mx: 2, mb: 1 }}>
          {t('dcStorage.noNode')}
        </Alert>
      )}
      {config.error && (
        <Alert severity="error" sx={{ mx: 2, mb: 1 }}>
          {t('common.labelValue', {
            label: t('dcStorage.loadFailed'),
            value: `${t(`error.${config.error.code}`)} — ${config.error.message}`,
          })}
        </Alert>
      )}
      <VirtualTable
        ids={ids}
        columns={columns}
        titles={[
          t('dcStorage.col.id'),
          t('dcStorage.col.type'),
          t('dcStorage.col.content'),
          t('dcStorage.col.target'),
          t('dcStorage.col.shared'),
          t('dcStorage.col.enabled'),
          t('dcStorage.col.nodes'),
        ]}
        rowHeight={ROW_HEIGHT}
        padX={PAD_X}
        headerSx={{ bgcolor: 'action.hover' }}
        renderRow={(id, top) => {
          const entry = byId.get(id);
          return entry === undefined ? null : (
            <StorageDefinitionRow
              entry={entry}
              top={top}
              selected={id === selected}
              onSelect={setSelected}
              onOpen={(storage) => {
                setSelected(storage);
                if (ready) setForm('edit');
              }}
            />
          );
        }}
        empty={
          config.loading ? undefined : (
            <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 2 }}>
              {t('dcStorage.empty')}
            </Typography>
          )
        }
        testId="storage-list"
      />
      {form !== null && config.nodeKey !== undefined && (
        <StorageFormDialog
          nodeKey={config.nodeKey}
          digest={config.digest}
          storages={config.storages}
          entry={form === 'edit' ? selectedEntry : undefined}
          onClose={() => setForm(null)}
          onSaved={config.reload}
        />
      )}
      <ConfirmDialog
        open={confirm && selectedEntry !== undefined}
        title={t('dcStorage.removeTitle', { storage: selected ?? '' })}
        body={t('dcStorage.removeBody')}
        confirm={t('dcStorage.remove')}
        onConfirm={() => {
          if (config.nodeKey !== undefined && selected !== null)
            void removeStorage(config.nodeKey, selected, config.digest).then((ok) => ok && setSelected(null));
        }}
        onClose={() => setConfirm(false)}
        testId="storage-remove-dialog"
      />
    </Card>
  );
}

const RowBox = styled('div')(({ theme }) => ({
  ...tableRowStyle(theme, columns, ROW_HEIGHT, PAD_X),
  '&[aria-selected="true"]': { backgroundColor: theme.vars.palette.action.selected },
  '&[data-disabled="true"]': { color: theme.vars.palette.text.disabled },
  '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
}));

const contentText = (entry: StorageEntry, t: Translate): string =>
  contentTabs(entry.content)
    .map((c) => t(`content.${c}`))
    .join(t('storage.listSeparator'));

const StorageDefinitionRow = memo(function StorageDefinitionRow(props: {
  entry: StorageEntry;
  top: number;
  selected: boolean;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  const t = useT();
  const { entry } = props;
  const disabled = entry.config.disable === true;
  const nodes = storageNodes(entry);
  const yesNo = (value: boolean) => t(value ? 'storage.yes' : 'storage.no');
  return (
    <RowBox
      role="row"
      aria-selected={props.selected}
      data-disabled={disabled}
      data-testid={`storage-row-${entry.id}`}
      style={{ transform: `translateY(${props.top}px)` }}
      onClick={() => props.onSelect(entry.id)}
      onDoubleClick={() => props.onOpen(entry.id)}
    >
      <span>{entry.id}</span>
      <span>{entry.type}</span>
      <span title={contentText(entry, t)}>{contentText(entry, t)}</span>
      <span>{storageTarget(entry)}</span>
      <span>{yesNo(entry.shared)}</span>
      <span>{yesNo(!disabled)}</span>
      <span>{nodes.length === 0 ? t('dcStorage.allNodes') : nodes.join(', ')}</span>
    </RowBox>
  );
});
