// A storage's content, one tab per content type it holds (ISO images, CT templates, disk images, backups…):
// a virtualized table, Delete with confirmation, Download from URL and Upload for ISO images and templates.
import { memo, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import LinearProgress from '@mui/material/LinearProgress';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { styled } from '@mui/material/styles';
import DeleteOutlineRounded from '@mui/icons-material/DeleteOutlineRounded';
import CloudDownloadOutlined from '@mui/icons-material/CloudDownloadOutlined';
import RefreshRounded from '@mui/icons-material/RefreshRounded';
import type { ContentType, VolumeInfo } from '../../../../node-agent/src/storage/plugin';
import { useAppStore } from '../../store/store';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatBytes, formatDateTime } from '../../i18n/format';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { tableRowStyle, VirtualTable } from '../../components/virtual-table';
import { deleteVolume } from './actions';
import { contentTabs, volumeName } from './storage-format';
import { useStorageContent } from './use-storage-content';
import { DownloadDialog } from './download-dialog';
import { UploadButton, UploadProgressList } from './upload-panel';

const ROW_HEIGHT = 30;
const PAD_X = 2;
const columns = 'minmax(200px, 3fr) 80px 100px 80px 150px minmax(100px, 1.5fr)';

/** Content a person can bring in from outside: PVE offers download and upload for these two. */
const transferable = (content: ContentType): content is 'iso' | 'vztmpl' => content === 'iso' || content === 'vztmpl';

export function ContentBrowser({ nodeKey, storage }: { nodeKey: string; storage: string }) {
  const t = useT();
  const held = useAppStore((s) => s.storages[nodeKey]?.[storage]?.content);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  const tabs = contentTabs(held ?? []);
  const [tab, setTab] = useState<ContentType | undefined>(tabs[0]);
  const current = tab !== undefined && tabs.includes(tab) ? tab : tabs[0];
  const content = useStorageContent(nodeKey, storage);
  const [selected, setSelected] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [download, setDownload] = useState(false);
  const volumes = current === undefined ? undefined : content.groups[current];
  const byId = useMemo(() => new Map((volumes ?? []).map((v) => [v.volid, v])), [volumes]);
  const ids = useMemo(() => [...byId.keys()], [byId]);
  return (
    <Card sx={{ flex: 1, minHeight: 320, display: 'flex', flexDirection: 'column' }}>
      <Tabs
        value={current ?? false}
        onChange={(_, value: ContentType) => {
          setTab(value);
          setSelected(null);
        }}
        variant="scrollable"
        sx={{ px: 1, borderBottom: 1, borderColor: 'divider' }}
      >
        {tabs.map((c) => (
          <Tab key={c} value={c} label={t(`content.${c}`)} data-testid={`content-tab-${c}`} />
        ))}
      </Tabs>
      <Box sx={{ display: 'flex', gap: 1, px: 2, py: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        {current !== undefined && transferable(current) && (
          <>
            <UploadButton nodeKey={nodeKey} storage={storage} content={current} disabled={!online} />
            <Button
              size="small"
              variant="outlined"
              startIcon={<CloudDownloadOutlined />}
              disabled={!online}
              onClick={() => setDownload(true)}
              data-testid="download-url-button"
            >
              {t('download.button')}
            </Button>
          </>
        )}
        <Button
          size="small"
          color="error"
          startIcon={<DeleteOutlineRounded />}
          disabled={!online || selected === null}
          onClick={() => setConfirm(true)}
          data-testid="content-delete"
        >
          {t('content.delete')}
        </Button>
        <Box sx={{ flex: 1 }} />
        <Typography variant="caption" color="text.secondary">
          {t('content.count', { count: ids.length })}
        </Typography>
        <Button size="small" startIcon={<RefreshRounded />} onClick={content.reload} disabled={!online}>
          {t('storage.refresh')}
        </Button>
      </Box>
      <UploadProgressList nodeKey={nodeKey} storage={storage} />
      {content.loading && <LinearProgress sx={{ height: 2 }} />}
      {content.error && (
        <Alert severity="error" sx={{ mx: 2, mb: 1 }}>
          {t('common.labelValue', { label: t('content.loadFailed', { storage }), value: content.error.message })}
        </Alert>
      )}
      <VirtualTable
        ids={ids}
        columns={columns}
        titles={[
          t('content.col.name'),
          t('content.col.format'),
          t('content.col.size'),
          t('content.col.vmid'),
          t('content.col.date'),
          t('content.col.notes'),
        ]}
        rowHeight={ROW_HEIGHT}
        padX={PAD_X}
        headerSx={{ bgcolor: 'action.hover' }}
        renderRow={(volid, top) => {
          const volume = byId.get(volid);
          return volume === undefined ? null : (
            <ContentRow volume={volume} top={top} selected={volid === selected} onSelect={setSelected} />
          );
        }}
        empty={
          <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 2 }}>
            {t('content.empty')}
          </Typography>
        }
        testId="content-list"
      />
      <ConfirmDialog
        open={confirm && selected !== null}
        title={t('content.deleteTitle', { volid: selected ?? '' })}
        body={t('content.deleteBody', { storage })}
        confirm={t('content.delete')}
        onConfirm={() => {
          if (selected !== null) void deleteVolume(nodeKey, selected).then((ok) => ok && setSelected(null));
        }}
        onClose={() => setConfirm(false)}
        testId="content-delete-dialog"
      />
      {current !== undefined && transferable(current) && (
        <DownloadDialog
          open={download}
          nodeKey={nodeKey}
          storage={storage}
          content={current}
          onClose={() => setDownload(false)}
        />
      )}
    </Card>
  );
}

const RowBox = styled('div')(({ theme }) => ({
  ...tableRowStyle(theme, columns, ROW_HEIGHT, PAD_X),
  '&[aria-selected="true"]': { backgroundColor: theme.vars.palette.action.selected },
  '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  '& .num': { fontVariantNumeric: 'tabular-nums' },
}));

const ContentRow = memo(function ContentRow(props: {
  volume: VolumeInfo;
  top: number;
  selected: boolean;
  onSelect: (volid: string) => void;
}) {
  const language = useLanguage();
  const { volume } = props;
  return (
    <RowBox
      role="row"
      aria-selected={props.selected}
      data-testid={`content-row-${volume.volid}`}
      style={{ transform: `translateY(${props.top}px)` }}
      onClick={() => props.onSelect(volume.volid)}
      title={volume.volid}
    >
      <span>{volumeName(volume.volid)}</span>
      <span>{volume.format}</span>
      <span className="num">{formatBytes(volume.size, language)}</span>
      <span className="num">{volume.vmid ?? ''}</span>
      <span className="num">{volume.ctime === undefined ? '' : formatDateTime(volume.ctime * 1000)}</span>
      <span>{volume.notes ?? ''}</span>
    </RowBox>
  );
});
