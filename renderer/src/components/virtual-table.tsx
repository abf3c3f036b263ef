// A table on a CSS grid: a row of column titles over fixed-height virtualized rows, for lists of thousands
// (nodes, tasks). Each row is the caller's own memoized component, placed at `top`; tableRowStyle gives it the
// look every table row shares, so header and rows line up on the same columns.
import { Fragment, useRef, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import type { CSSObject, SxProps, Theme } from '@mui/material/styles';
import { useVirtualRows } from './use-virtual-rows';

export interface VirtualTableProps {
  /** One id per row, in order; it keys the row, so a row keeps its component across re-orderings. */
  ids: readonly string[];
  /** grid-template-columns, shared by the header and tableRowStyle. */
  columns: string;
  titles: readonly string[];
  rowHeight: number;
  /** Horizontal padding of the header and the rows, in theme spacing units. */
  padX: number;
  renderRow: (id: string, top: number) => ReactNode;
  /** Shown instead of the rows when there are none. */
  empty?: ReactNode;
  /** Extra header styles (a shaded band, a top border). */
  headerSx?: Exclude<SxProps<Theme>, readonly unknown[]>;
  testId?: string;
}

export function VirtualTable({ ids, columns, titles, rowHeight, padX, renderRow, empty, headerSx, testId }: VirtualTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualRows({
    count: ids.length,
    scrollRef,
    rowHeight,
    getItemKey: (index) => ids[index] ?? index,
  });
  return (
    <>
      <Box
        role="row"
        sx={[
          {
            display: 'grid',
            gridTemplateColumns: columns,
            gap: 1.5,
            px: padX,
            py: 0.75,
            fontSize: 11.5,
            fontWeight: 600,
            color: 'text.secondary',
            borderBottom: 1,
            borderColor: 'divider',
          },
          headerSx ?? false,
        ]}
      >
        {titles.map((title, index) => (
          <span key={index}>{title}</span>
        ))}
      </Box>
      <Box ref={scrollRef} role="rowgroup" data-testid={testId} sx={{ flex: 1, overflow: 'auto', minHeight: 0 }}>
        {ids.length === 0 && empty !== undefined ? (
          empty
        ) : (
          <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const id = ids[item.index];
              return id === undefined ? null : <Fragment key={item.key}>{renderRow(id, item.start)}</Fragment>;
            })}
          </Box>
        )}
      </Box>
    </>
  );
}

/** The shared look of a VirtualTable row: placed by a translateY of its `top`, one grid line, a hover shade. */
export const tableRowStyle = (theme: Theme, columns: string, rowHeight: number, padX: number): CSSObject => ({
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  height: rowHeight,
  display: 'grid',
  gridTemplateColumns: columns,
  gap: 12,
  alignItems: 'center',
  padding: theme.spacing(0, padX),
  fontSize: 12.5,
  cursor: 'pointer',
  borderBottom: `1px solid ${theme.vars.palette.divider}`,
  '&:hover': { backgroundColor: theme.vars.palette.action.hover },
});
