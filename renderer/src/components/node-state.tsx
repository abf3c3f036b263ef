// How each connection state looks everywhere: an icon, a color and a word (never color alone).
// Plain styled elements with data attributes: these render in every tree and list row, thousands of times.
import type { SvgIconComponent } from '@mui/icons-material';
import CheckCircleRounded from '@mui/icons-material/CheckCircleRounded';
import CloudOffRounded from '@mui/icons-material/CloudOffRounded';
import SyncRounded from '@mui/icons-material/SyncRounded';
import GppBadRounded from '@mui/icons-material/GppBadRounded';
import LockPersonRounded from '@mui/icons-material/LockPersonRounded';
import ReportProblemRounded from '@mui/icons-material/ReportProblemRounded';
import { styled } from '@mui/material/styles';
import type { ConnectionState } from '../../../main/core/inventory-schema';
import { useT } from '../i18n/use-t';

export type Tone = 'success' | 'error' | 'warning' | 'info' | 'text';
export const stateVisual: Record<ConnectionState, { icon: SvgIconComponent; tone: Tone }> = {
  online: { icon: CheckCircleRounded, tone: 'success' },
  connecting: { icon: SyncRounded, tone: 'info' },
  offline: { icon: CloudOffRounded, tone: 'text' },
  'host-key-changed': { icon: GppBadRounded, tone: 'error' },
  'auth-failed': { icon: LockPersonRounded, tone: 'error' },
  'agent-error': { icon: ReportProblemRounded, tone: 'warning' },
};

/** CSS for `[data-tone=…]` descendants, shared by every place that colors by state. */
export const toneStyles = {
  '&[data-tone="success"]': { color: 'var(--mui-palette-success-main)' },
  '&[data-tone="error"]': { color: 'var(--mui-palette-error-main)' },
  '&[data-tone="warning"]': { color: 'var(--mui-palette-warning-main)' },
  '&[data-tone="info"]': { color: 'var(--mui-palette-info-main)' },
  '&[data-tone="text"]': { color: 'var(--mui-palette-text-secondary)' },
} as const;

const Badge = styled('span')({
  display: 'inline-flex',
  alignItems: 'center',
  gap: 4,
  fontSize: 12.5,
  fontWeight: 500,
  whiteSpace: 'nowrap',
  '& svg': { fontSize: 16 },
  '&[data-compact="true"]': { fontSize: 11 },
  '&[data-compact="true"] svg': { fontSize: 14 },
  ...toneStyles,
});

/** Icon plus the state's word; `compact` keeps the word small for dense rows. */
export function NodeStateBadge({ state, compact = false }: { state: ConnectionState; compact?: boolean }) {
  const t = useT();
  const { icon: Icon, tone } = stateVisual[state];
  return (
    <Badge data-tone={tone} data-compact={compact}>
      <Icon fontSize="inherit" />
      <span>{t(`state.${state}`)}</span>
    </Badge>
  );
}
