// The terminal's font size: bounded steps, and the last size chosen in this window's session as the start for new
// terminals (sessionStorage: it ends with the window, as the shells do).

export const FONT_SIZE_MIN = 8;
export const FONT_SIZE_MAX = 32;
export const FONT_SIZE_DEFAULT = 14;
const STORAGE_KEY = 'hyperdesk.terminal.fontSize';

/** A whole size within the bounds; anything unreadable is the default. */
export const clampFontSize = (size: number): number =>
  Number.isFinite(size) ? Math.min(FONT_SIZE_MAX, Math.max(FONT_SIZE_MIN, Math.round(size))) : FONT_SIZE_DEFAULT;

/** One step bigger (+1), smaller (-1), or back to the default (0). */
export const stepFontSize = (size: number, step: -1 | 0 | 1): number =>
  step === 0 ? FONT_SIZE_DEFAULT : clampFontSize(size + step);

/** The size a new terminal starts with. */
export const initialFontSize = (storage: Pick<Storage, 'getItem'> | undefined = globalThis.sessionStorage): number => {
  const saved = storage?.getItem(STORAGE_KEY);
  return saved === null || saved === undefined ? FONT_SIZE_DEFAULT : clampFontSize(Number(saved));
};

export const rememberFontSize = (
  size: number,
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.sessionStorage,
): void => {
  storage?.setItem(STORAGE_KEY, String(clampFontSize(size)));
};
