// Every node of the datacenter or a cluster with its live figures; virtualized for thousands of nodes.
import { memo, useRef } from 'react';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import { styled } from '@mui/material/styles';
import { useNodeKeys, useNode } from '../../store/selectors';
import { appStore } from '../../store/store';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatDuration, formatPercent } from '../../i18n/format';
import { NodeStateBadge } from '../../components/node-state';
import { useVirtualRows } from '../../components/use-virtual-rows';

const ROW_HEIGHT = 30;
const columns = 'minmax(120px, 1.2fr) minmax(110px, 1fr) 150px minmax(110px, 1fr) minmax(110px, 1fr) 110px';

export function NodeList({ clusterId }: { clusterId: string | undefined }) {
  const t = useT();
  const keys = useNodeKeys(clusterId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows({
    count: keys.length,
    scrollRef,
    rowHeight: ROW_HEIGHT,
    getItemKey: (index) => keys[index] ?? index,
  });
  return (
    <Card sx={{ flex: 1, minHeight: 180, display: 'flex', flexDirection: 'column' }}>
      <Box
        sx={{
          display: 'grid',
          gridTemplateColumns: columns,
          gap: 1.5,
          px: 2,
          py: 0.75,
          borderBottom: 1,
          borderColor: 'divider',
          fontSize: 11.5,
          fontWeight: 600,
          color: 'text.secondary',
        }}
      >
        <span>{t('col.name')}</span>
        <span>{t('col.host')}</span>
        <span>{t('col.state')}</span>
        <span>{t('col.cpu')}</span>
        <span>{t('col.memory')}</span>
        <span>{t('col.uptime')}</span>
      </Box>
      <Box ref={scrollRef} sx={{ flex: 1, overflow: 'auto' }} data-testid="node-list">
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const key = keys[item.index];
            return key === undefined ? null : <NodeListRow key={item.key} nodeKey={key} top={item.start} />;
          })}
        </Box>
      </Box>
    </Card>
  );
}

// A bar drawn with two spans instead of LinearProgress: one per cell, thousands of cells.
const UsageCell = styled('span')(({ theme }) => ({
  display: 'flex',
  alignItems: 'center',
  gap: 8,
  '& .track': {
    flex: 1,
    height: 4,
    borderRadius: 2,
    backgroundColor: theme.vars.palette.action.selected,
    overflow: 'hidden',
  },
  '& .fill': { display: 'block', height: '100%', backgroundColor: theme.vars.palette.primary.main },
  '& .fill[data-level="high"]': { backgroundColor: theme.vars.palette.warning.main },
  '& .fill[data-level="full"]': { backgroundColor: theme.vars.palette.error.main },
  '& .value': { width: 40, textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
}));

function Usage({ fraction }: { fraction: number | undefined }) {
  const language = useLanguage();
  if (fraction === undefined) return <span>–</span>;
  const level = fraction > 0.95 ? 'full' : fraction > 0.8 ? 'high' : 'normal';
  return (
    <UsageCell>
      <span className="track">
        <span className="fill" data-level={level} style={{ width: `${Math.min(100, fraction * 100)}%` }} />
      </span>
      <span className="value">{formatPercent(fraction, language)}</span>
    </UsageCell>
  );
}

const Row = styled('div')(({ theme }) => ({
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  height: ROW_HEIGHT,
  display: 'grid',
  gridTemplateColumns: columns,
  gap: 12,
  alignItems: 'center',
  padding: '0 16px',
  fontSize: 12.5,
  borderBottom: `1px solid ${theme.vars.palette.divider}`,
  cursor: 'pointer',
  '&[data-state]:not([data-state="online"])': { opacity: 0.75 },
  '&:hover': { backgroundColor: theme.vars.palette.action.hover },
  '& > .name': { fontWeight: 500, overflow: 'hidden', textOverflow: 'ellipsis' },
  '& > .host': { color: theme.vars.palette.text.secondary, overflow: 'hidden', textOverflow: 'ellipsis' },
}));

const NodeListRow = memo(function NodeListRow({ nodeKey, top }: { nodeKey: string; top: number }) {
  const language = useLanguage();
  const node = useNode(nodeKey);
  if (!node) return null;
  const status = node.status;
  const memory = status && status.memory.total > 0 ? status.memory.used / status.memory.total : undefined;
  return (
    <Row
      data-state={node.state}
      onClick={() => appStore.getState().select({ kind: 'node', key: nodeKey })}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="name">{node.name}</span>
      <span className="host">{node.host}</span>
      <NodeStateBadge state={node.state} compact />
      <Usage fraction={status?.cpu} />
      <Usage fraction={memory} />
      <span>{status ? formatDuration(status.uptime, language) : '–'}</span>
    </Row>
  );
});
