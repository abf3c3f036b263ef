// Every node of the datacenter or a cluster with its live figures; virtualized for thousands of nodes.
import { memo } from 'react';
import Card from '@mui/material/Card';
import { styled } from '@mui/material/styles';
import { useNodeKeys, useNode } from '../../store/selectors';
import { appStore } from '../../store/store';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatDuration, formatPercent } from '../../i18n/format';
import { NodeStateBadge } from '../../components/node-state';
import { tableRowStyle, VirtualTable } from '../../components/virtual-table';

const ROW_HEIGHT = 30;
const PAD_X = 2;
const columns = 'minmax(120px, 1.2fr) minmax(110px, 1fr) 150px minmax(110px, 1fr) minmax(110px, 1fr) 110px';

export function NodeList({ clusterId }: { clusterId: string | undefined }) {
  const t = useT();
  const keys = useNodeKeys(clusterId);
  return (
    <Card sx={{ flex: 1, minHeight: 180, display: 'flex', flexDirection: 'column' }}>
      <VirtualTable
        ids={keys}
        columns={columns}
        titles={[t('col.name'), t('col.host'), t('col.state'), t('col.cpu'), t('col.memory'), t('col.uptime')]}
        rowHeight={ROW_HEIGHT}
        padX={PAD_X}
        renderRow={(key, top) => <NodeListRow nodeKey={key} top={top} />}
        testId="node-list"
      />
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
  ...tableRowStyle(theme, columns, ROW_HEIGHT, PAD_X),
  '&[data-state]:not([data-state="online"])': { opacity: 0.75 },
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
