// One row of the resource tree. Each row selects its own entry, so a status patch re-renders only that row; a guest
// row selects only what it draws (vmid, name, state), so the 1,000 CPU and traffic changes a second re-render none.
// Styled once at module level, varied by data attributes and inline offsets: cheap to mount while scrolling.
import { memo, type MouseEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { styled } from '@mui/material/styles';
import ChevronRightRounded from '@mui/icons-material/ChevronRightRounded';
import ApartmentRounded from '@mui/icons-material/ApartmentRounded';
import HubOutlined from '@mui/icons-material/HubOutlined';
import DnsOutlined from '@mui/icons-material/DnsOutlined';
import LockOutlined from '@mui/icons-material/LockOutlined';
import StorageRounded from '@mui/icons-material/StorageRounded';
import { appStore, useAppStore } from '../store/store';
import type { TreeRow } from '../store/selectors';
import { useChildCountOf, useCluster } from '../store/selectors';
import { useLanguage, useT } from '../i18n/use-t';
import { NodeStateBadge, stateVisual, toneStyles } from '../components/node-state';
import { GuestIcon } from '../components/guest-state';
import type { TreeMenuAnchor } from './tree-context-menu';
import { splitStorageKey, usageHint } from '../features/storage/storage-format';

export const TREE_ROW_HEIGHT = 28;

const Row = styled('div')(({ theme }) => ({
  position: 'absolute',
  top: 0,
  left: 4,
  right: 4,
  height: TREE_ROW_HEIGHT,
  display: 'flex',
  alignItems: 'center',
  gap: 6,
  paddingRight: 10,
  borderRadius: theme.shape.borderRadius,
  cursor: 'default',
  userSelect: 'none',
  fontSize: 13,
  color: theme.vars.palette.text.primary,
  '&:hover': { backgroundColor: theme.vars.palette.action.hover },
  '&[aria-selected="true"]': {
    backgroundColor: theme.vars.palette.action.selected,
    color: theme.vars.palette.primary.main,
    fontWeight: 600,
  },
  '& .tree-icon': {
    display: 'inline-flex',
    fontSize: 17,
    color: theme.vars.palette.text.secondary,
    flexShrink: 0,
    ...toneStyles,
  },
  '& .tree-toggle': {
    display: 'inline-flex',
    fontSize: 18,
    marginLeft: -4,
    color: theme.vars.palette.text.secondary,
    transition: 'transform 120ms',
  },
  '& .tree-toggle-space': { width: 14, flexShrink: 0 },
  '&[aria-expanded="true"] .tree-toggle': { transform: 'rotate(90deg)' },
  '& .tree-lock': { display: 'inline-flex', fontSize: 14, color: theme.vars.palette.text.secondary },
  '&[data-template="true"] .tree-label, &[data-state="stopped"] .tree-label': { color: theme.vars.palette.text.secondary },
  '&[data-state="inactive"] .tree-label, &[data-state="inactive"] .tree-icon': { color: theme.vars.palette.text.disabled },
  '& .tree-hint': { fontSize: 11, color: theme.vars.palette.text.secondary, fontVariantNumeric: 'tabular-nums' },
  '& .tree-label': { flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
}));

interface RowProps {
  row: TreeRow;
  top: number;
  onContextMenu: (anchor: TreeMenuAnchor) => void;
}

export const TreeRowView = memo(function TreeRowView({ row, top, onContextMenu }: RowProps) {
  if (row === 'datacenter') return <DatacenterRow top={top} />;
  if (row.startsWith('cluster:')) return <ClusterRow id={row.slice('cluster:'.length)} top={top} />;
  if (row.startsWith('guest:')) return <GuestRow guestKey={row.slice('guest:'.length)} top={top} onContextMenu={onContextMenu} />;
  if (row.startsWith('storage:')) return <StorageRow storageKey={row.slice('storage:'.length)} top={top} />;
  return <NodeRow nodeKey={row.slice('node:'.length)} top={top} onContextMenu={onContextMenu} />;
});

function RowShell(props: {
  top: number;
  level: number;
  selected: boolean;
  onClick: () => void;
  onContextMenu?: (event: MouseEvent) => void;
  children: ReactNode;
  testId: string;
  state?: string;
  expanded?: boolean | undefined;
  template?: boolean;
}) {
  return (
    <Row
      role="treeitem"
      aria-level={props.level}
      aria-selected={props.selected}
      aria-expanded={props.expanded}
      data-testid={props.testId}
      data-state={props.state}
      data-template={props.template}
      onClick={props.onClick}
      onContextMenu={props.onContextMenu}
      // Offsets inline: a class per distinct value would flood the stylesheet while scrolling.
      style={{ transform: `translateY(${props.top}px)`, paddingLeft: 6 + (props.level - 1) * 16 }}
    >
      {props.children}
    </Row>
  );
}

function DatacenterRow({ top }: { top: number }) {
  const t = useT();
  const selected = useAppStore((s) => s.selection.kind === 'datacenter');
  return (
    <RowShell
      top={top}
      level={1}
      selected={selected}
      onClick={() => appStore.getState().select({ kind: 'datacenter' })}
      testId="tree-datacenter"
    >
      <span className="tree-icon">
        <ApartmentRounded fontSize="inherit" />
      </span>
      <span className="tree-label">{t('tree.datacenter')}</span>
    </RowShell>
  );
}

function ClusterRow({ id, top }: { id: string; top: number }) {
  const cluster = useCluster(id);
  const selected = useAppStore((s) => s.selection.kind === 'cluster' && s.selection.id === id);
  const folded = useAppStore((s) => Boolean(s.collapsed[id]));
  return (
    <RowShell
      top={top}
      level={2}
      selected={selected}
      expanded={!folded}
      onClick={() => appStore.getState().select({ kind: 'cluster', id })}
      testId={`tree-cluster-${id}`}
    >
      <FoldToggle id={id} folded={folded} />
      <span className="tree-icon">
        <HubOutlined fontSize="inherit" />
      </span>
      <span className="tree-label">{cluster?.name ?? id}</span>
    </RowShell>
  );
}

function NodeRow({
  nodeKey,
  top,
  onContextMenu,
}: {
  nodeKey: string;
  top: number;
  onContextMenu: (anchor: TreeMenuAnchor) => void;
}) {
  const name = useAppStore((s) => s.nodes[nodeKey]?.name ?? nodeKey);
  const state = useAppStore((s) => s.nodes[nodeKey]?.state ?? 'offline');
  const selected = useAppStore((s) => s.selection.kind === 'node' && s.selection.key === nodeKey);
  const folded = useAppStore((s) => Boolean(s.collapsed[nodeKey]));
  const guests = useChildCountOf(nodeKey);
  const select = () => appStore.getState().select({ kind: 'node', key: nodeKey });
  return (
    <RowShell
      top={top}
      level={3}
      selected={selected}
      expanded={guests > 0 ? !folded : undefined}
      onClick={select}
      onContextMenu={(event) => {
        event.preventDefault();
        select();
        onContextMenu({ x: event.clientX, y: event.clientY, nodeKey });
      }}
      testId={`tree-node-${nodeKey}`}
      state={state}
    >
      {guests > 0 ? <FoldToggle id={nodeKey} folded={folded} /> : <span className="tree-toggle-space" />}
      <span className="tree-icon" data-tone={stateVisual[state].tone}>
        <DnsOutlined fontSize="inherit" />
      </span>
      <span className="tree-label">{name}</span>
      <NodeStateBadge state={state} compact />
    </RowShell>
  );
}

/** The chevron that folds a cluster or a node; it does not select the row. */
function FoldToggle({ id, folded }: { id: string; folded: boolean }) {
  const t = useT();
  return (
    <span
      className="tree-toggle"
      role="button"
      aria-label={t(folded ? 'tree.expand' : 'tree.collapse')}
      onClick={(event) => {
        event.stopPropagation();
        appStore.getState().toggleCollapsed(id);
      }}
    >
      <ChevronRightRounded fontSize="inherit" />
    </span>
  );
}

/** PVE's Server View label: `100 (name)`, with the kind and state as the icon. */
function GuestRow({ guestKey, top, onContextMenu }: { guestKey: string; top: number; onContextMenu: (anchor: TreeMenuAnchor) => void }) {
  const t = useT();
  const guest = useAppStore(
    useShallow((s) => {
      const g = s.guests.get(guestKey);
      return g && { vmid: g.vmid, name: g.name, type: g.type, status: g.status, template: g.template === true, lock: g.lock };
    }),
  );
  const selected = useAppStore((s) => s.selection.kind === 'guest' && s.selection.key === guestKey);
  const nodeKey = useAppStore((s) => s.guests.get(guestKey)?.nodeKey);
  if (guest === undefined) return null;
  const select = () => appStore.getState().select({ kind: 'guest', key: guestKey });
  const stateWord = guest.template ? t('guest.template') : t(`guestState.${guest.status}`);
  return (
    <RowShell
      top={top}
      level={4}
      selected={selected}
      onClick={select}
      onContextMenu={(event) => {
        if (nodeKey === undefined) return;
        event.preventDefault();
        select();
        onContextMenu({ x: event.clientX, y: event.clientY, nodeKey, guestKey });
      }}
      testId={`tree-guest-${guestKey}`}
      state={guest.status}
      template={guest.template}
    >
      <GuestIcon type={guest.type} state={guest.status} template={guest.template} label={stateWord} />
      <span className="tree-label">{guest.name === '' ? guest.vmid : `${guest.vmid} (${guest.name})`}</span>
      {guest.lock !== undefined && (
        <span className="tree-lock" title={t('guest.lockedBy', { lock: guest.lock })}>
          <LockOutlined fontSize="inherit" />
        </span>
      )}
    </RowShell>
  );
}

/** PVE's `local (n1)` storage item: greyed when disabled or inactive, with its usage as a hint. */
function StorageRow({ storageKey, top }: { storageKey: string; top: number }) {
  const t = useT();
  const language = useLanguage();
  const { nodeKey, storage } = splitStorageKey(storageKey);
  const nodeName = useAppStore((s) => s.nodes[nodeKey]?.name ?? nodeKey);
  const usable = useAppStore((s) => {
    const entry = s.storages[nodeKey]?.[storage];
    return entry !== undefined && entry.enabled && entry.active;
  });
  const hint = useAppStore((s) => usageHint(s.storages[nodeKey]?.[storage], language));
  const selected = useAppStore((s) => s.selection.kind === 'storage' && s.selection.key === storageKey);
  return (
    <RowShell
      top={top}
      level={4}
      selected={selected}
      onClick={() => appStore.getState().select({ kind: 'storage', key: storageKey })}
      testId={`tree-storage-${storageKey}`}
      state={usable ? 'active' : 'inactive'}
    >
      <span className="tree-icon">
        <StorageRounded fontSize="inherit" />
      </span>
      <span className="tree-label">{t('storage.tree', { storage, node: nodeName })}</span>
      {usable && hint !== '' && <span className="tree-hint">{hint}</span>}
    </RowShell>
  );
}
