// How a guest looks everywhere: its kind (VM, container or template) as the icon, its state as a small glyph on it
// and a tone (never color alone), as in PVE's Server View. Plain styled elements: thousands render in the tree.
import type { SvgIconComponent } from '@mui/icons-material';
import DesktopWindowsOutlined from '@mui/icons-material/DesktopWindowsOutlined';
import ViewInArOutlined from '@mui/icons-material/ViewInArOutlined';
import DescriptionOutlined from '@mui/icons-material/DescriptionOutlined';
import PlayArrowRounded from '@mui/icons-material/PlayArrowRounded';
import StopRounded from '@mui/icons-material/StopRounded';
import PauseRounded from '@mui/icons-material/PauseRounded';
import BedtimeRounded from '@mui/icons-material/BedtimeRounded';
import QuestionMarkRounded from '@mui/icons-material/QuestionMarkRounded';
import { styled } from '@mui/material/styles';
import type { GuestState, GuestType } from '../../../node-agent/src/api';
import { toneStyles, type Tone } from './node-state';

export const guestTypeIcon: Record<GuestType, SvgIconComponent> = {
  qemu: DesktopWindowsOutlined,
  lxc: ViewInArOutlined,
};

export const guestStateVisual: Record<GuestState, { icon: SvgIconComponent; tone: Tone }> = {
  running: { icon: PlayArrowRounded, tone: 'success' },
  stopped: { icon: StopRounded, tone: 'text' },
  paused: { icon: PauseRounded, tone: 'warning' },
  suspended: { icon: BedtimeRounded, tone: 'info' },
  unknown: { icon: QuestionMarkRounded, tone: 'error' },
};

const Icon = styled('span')(({ theme }) => ({
  position: 'relative',
  display: 'inline-flex',
  flexShrink: 0,
  fontSize: 17,
  color: theme.vars.palette.text.secondary,
  '&[data-state="running"]': { color: theme.vars.palette.text.primary },
  '& .guest-state': {
    position: 'absolute',
    right: -4,
    bottom: -3,
    display: 'inline-flex',
    fontSize: 11,
    borderRadius: '50%',
    backgroundColor: theme.vars.palette.background.paper,
    ...toneStyles,
  },
}));

/** The guest's kind with its state on it; a template shows the template icon and no state (it cannot run). */
export function GuestIcon({
  type,
  state,
  template,
  label,
  size,
}: {
  type: GuestType;
  state: GuestState;
  template: boolean;
  /** The state's word, for screen readers and the tooltip. */
  label: string;
  size?: number;
}) {
  const Kind = template ? DescriptionOutlined : guestTypeIcon[type];
  const { icon: State, tone } = guestStateVisual[state];
  return (
    <Icon
      className="guest-icon"
      data-state={template ? 'template' : state}
      role="img"
      aria-label={label}
      title={label}
      style={size === undefined ? undefined : { fontSize: size }}
    >
      <Kind fontSize="inherit" />
      {!template && (
        <span className="guest-state" data-tone={tone}>
          <State fontSize="inherit" />
        </span>
      )}
    </Icon>
  );
}
