// The node's status at a glance, PVE-style: usage rows with bars on the left, facts on the right.
import Box from '@mui/material/Box';
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
import { formatDecimal, formatDuration, formatPercent } from '../../i18n/format';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';

export function StatusCards({ nodeKey, dimmed }: { nodeKey: string; dimmed: boolean }) {
  const t = useT();
  const language = useLanguage();
  const node = useNode(nodeKey);
  const status: NodeStatus | undefined = node?.status;
  const none = t('common.noData');

  return (
    <FactsCard dimmed={dimmed}>
      <Box>
        <FactRow
          icon={<SpeedRounded />}
          label={t('status.cpu')}
          testId="status-cpu"
          value={status ? t('status.cpuOf', { percent: formatPercent(status.cpu, language), cpus: status.cpus }) : none}
          fraction={status?.cpu ?? 0}
        />
        <FactRow
          icon={<InsightsRounded />}
          label={t('status.load')}
          testId="status-load"
          value={status ? status.loadavg.map((l) => formatDecimal(l, language, 2, true)).join(', ') : none}
        />
        <UsageRow icon={<MemoryRounded />} label={t('status.memory')} testId="status-memory" usage={status?.memory} />
        <UsageRow icon={<SwapHorizRounded />} label={t('status.swap')} testId="status-swap" usage={status?.swap} />
        <UsageRow icon={<StorageRounded />} label={t('status.rootfs')} testId="status-rootfs" usage={status?.rootfs} />
      </Box>
      <Box>
        <FactRow
          icon={<TimerOutlined />}
          label={t('status.uptime')}
          testId="status-uptime"
          value={status ? formatDuration(status.uptime, language) : none}
        />
        <FactRow
          icon={<BadgeOutlined />}
          label={t('status.hostname')}
          testId="status-hostname"
          value={status?.hostname ?? none}
        />
        <FactRow icon={<TerminalRounded />} label={t('status.kernel')} testId="status-kernel" value={status?.kernel ?? none} />
        <FactRow
          icon={<DeveloperBoardRounded />}
          label={t('status.cpuModel')}
          testId="status-cpu-model"
          value={status ? `${status.cpus} × ${status.cpuModel}` : none}
        />
        <FactRow
          icon={<ExtensionOutlined />}
          label={t('status.agentVersion')}
          testId="status-agent-version"
          value={status?.agentVersion ?? node?.agentVersion ?? none}
        />
      </Box>
    </FactsCard>
  );
}
