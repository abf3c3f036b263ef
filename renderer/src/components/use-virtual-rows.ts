// Fixed-height virtualized rows over a scroll container: the one place the app calls TanStack Virtual.
import type { RefObject } from 'react';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';

interface Options {
  count: number;
  scrollRef: RefObject<HTMLElement | null>;
  rowHeight: number;
  overscan?: number;
  /** Stable keys keep row components (and their subscriptions) across re-orderings. */
  getItemKey?: (index: number) => string | number;
}

export function useVirtualRows({
  count,
  scrollRef,
  rowHeight,
  overscan = 10,
  getItemKey,
}: Options): Virtualizer<HTMLElement, Element> {
  // The React Compiler cannot memoize around useVirtualizer's mutable instance; this app does not use the compiler,
  // and no caller memoizes the virtualizer's functions.
  // eslint-disable-next-line react-hooks/incompatible-library
  return useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    ...(getItemKey ? { getItemKey } : {}),
  });
}
