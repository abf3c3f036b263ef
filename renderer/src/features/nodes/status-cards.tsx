// The node's status at a glance, PVE-style: usage rows with bars on the left, facts on the right.
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import Typography from '@mui/material/Typography';
import LinearProgress from '@mui/material/LinearProgress';
import SpeedRounded from '@mui/icons-material/SpeedRounded';
import MemoryRounded from '@mui/icons-material/MemoryRounded';
import SwapHorizRounded from '@mui/icons-material/SwapHorizRounded';
import StorageRounded from '@mui/icons-material/StorageRounded';
import TimerOutlined from '@mui/icons-material/TimerOutlined';
import TerminalRounded from '@mui/icons-material/TerminalRounded';
import DeveloperBoardRounded from '@mui/icons-material/DeveloperBoardRounded';
import ExtensionOutlined from '@mui/icons-material/ExtensionOutlined';
import InsightsRounded from '@mui/icons-material/InsightsRounded';
import BadgeOutlined from '@mui/icons-material/BadgeOutlined';
import type { NodeStatus } from '../../../../node-agent/src/api';
import { useNode } from '../../store/selectors';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatBytes, formatDecimal, formatDuration, formatPercent } from '../../i18n/format';

interface RowProps {
  icon: ReactNode;
  label: string;
  value: ReactNode;
  testId?: string;
  /** 0..1: draws a usage bar, amber past 80 %, red past 95 %. */
  fraction?: number;
}

function StatusRow({ icon, label, value, testId, fraction }: RowProps) {
  const color = fraction === undefined ? 'primary' : fraction > 0.95 ? 'error' : fraction > 0.8 ? 'warning' : 'primary';
  return (
    <Box sx={{ py: 0.75 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Box sx={{ color: 'text.secondary', display: 'flex', '& svg': { fontSize: 17 } }}>{icon}</Box>
        <Typography variant="body2" color="text.secondary" sx={{ flex: '0 0 auto' }}>
          {label}
        </Typography>
        <Typography
          variant="body2"
          data-testid={testId}
          sx={{
            flex: 1,
            textAlign: 'right',
            fontWeight: 500,
            fontVariantNumeric: 'tabular-nums',
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            whiteSpace: 'nowrap',
          }}
        >
          {value}
        </Typography>
      </Box>
      {fraction !== undefined && (
        <LinearProgress
          variant="determinate"
          value={Math.min(100, fraction * 100)}
          color={color}
          sx={{ mt: 0.5, ml: 3.25, height: 4, borderRadius: 2 }}
        />
      )}
    </Box>
  );
}

const ratio = (used: number, total: number) => (total > 0 ? used / total : 0);

export function StatusCards({ nodeKey, dimmed }: { nodeKey: string; dimmed: boolean }) {
  const t = useT();
  const language = useLanguage();
  const node = useNode(nodeKey);
  const status: NodeStatus | undefined = node?.status;
  const none = t('common.noData');
  const usage = (used: number, total: number) =>
    `${formatPercent(ratio(used, total), language)} (${t('status.usedOfTotal', { used: formatBytes(used, language), total: formatBytes(total, language) })})`;

  return (
    <Card
      sx={{
        p: 1.5,
        px: 2,
        display: 'grid',
        gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' },
        columnGap: 4,
        opacity: dimmed ? 0.6 : 1,
        filter: dimmed ? 'grayscale(1)' : 'none',
        transition: 'opacity 200ms',
      }}
    >
      <Box>
        <StatusRow
          icon={<SpeedRounded />}
          label={t('status.cpu')}
          testId="status-cpu"
          value={status ? t('status.cpuOf', { percent: formatPercent(status.cpu, language), cpus: status.cpus }) : none}
          fraction={status?.cpu ?? 0}
        />
        <StatusRow
          icon={<InsightsRounded />}
          label={t('status.load')}
          testId="status-load"
          value={status ? status.loadavg.map((l) => formatDecimal(l, language, 2, true)).join(', ') : none}
        />
        <StatusRow
          icon={<MemoryRounded />}
          label={t('status.memory')}
          testId="status-memory"
          value={status ? usage(status.memory.used, status.memory.total) : none}
          fraction={status ? ratio(status.memory.used, status.memory.total) : 0}
        />
        <StatusRow
          icon={<SwapHorizRounded />}
          label={t('status.swap')}
          testId="status-swap"
          value={status ? usage(status.swap.used, status.swap.total) : none}
          fraction={status ? ratio(status.swap.used, status.swap.total) : 0}
        />
        <StatusRow
          icon={<StorageRounded />}
          label={t('status.rootfs')}
          testId="status-rootfs"
          value={status ? usage(status.rootfs.used, status.rootfs.total) : none}
          fraction={status ? ratio(status.rootfs.used, status.rootfs.total) : 0}
        />
      </Box>
      <Box>
        <StatusRow
          icon={<TimerOutlined />}
          label={t('status.uptime')}
          testId="status-uptime"
          value={status ? formatDuration(status.uptime, language) : none}
        />
        <StatusRow
          icon={<BadgeOutlined />}
          label={t('status.hostname')}
          testId="status-hostname"
          value={status?.hostname ?? none}
        />
        <StatusRow
          icon={<TerminalRounded />}
          label={t('status.kernel')}
          testId="status-kernel"
          value={status?.kernel ?? none}
        />
        <StatusRow
          icon={<DeveloperBoardRounded />}
          label={t('status.cpuModel')}
          testId="status-cpu-model"
          value={status ? `${status.cpus} × ${status.cpuModel}` : none}
        />
        <StatusRow
          icon={<ExtensionOutlined />}
          label={t('status.agentVersion')}
          testId="status-agent-version"
          value={status?.agentVersion ?? node?.agentVersion ?? none}
        />
      </Box>
    </Card>
  );
}
