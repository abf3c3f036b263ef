// What @xterm/addon-fit does, without the addon (not a dependency) or xterm's private render dimensions: the
// columns and rows that fit a box, from the size of one character cell measured in the terminal's own font.

export interface CellSize {
  width: number;
  height: number;
}

/** At least 2×1 (xterm's minimum), whole cells only; a box not laid out yet (0 wide) gives undefined. */
export const fitSize = (
  box: { width: number; height: number },
  cell: CellSize,
): { cols: number; rows: number } | undefined => {
  if (box.width <= 0 || box.height <= 0 || cell.width <= 0 || cell.height <= 0) return undefined;
  return {
    cols: Math.max(2, Math.floor(box.width / cell.width)),
    rows: Math.max(1, Math.floor(box.height / cell.height)),
  };
};

/** One cell of `font` at `lineHeight`, measured in the live DOM (a run of 32 characters, for sub-pixel widths). */
export const measureCell = (
  parent: HTMLElement,
  font: { family: string; size: number; lineHeight: number },
): CellSize => {
  const probe = document.createElement('span');
  probe.textContent = 'W'.repeat(32);
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${font.family};font-size:${font.size}px;line-height:normal`;
  parent.appendChild(probe);
  const rect = probe.getBoundingClientRect();
  probe.remove();
  return { width: rect.width / 32, height: Math.ceil(rect.height * font.lineHeight) };
};
