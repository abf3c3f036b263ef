// The terminal's own key combinations. Ctrl+C and Ctrl+V belong to the shell (interrupt, literal next), so copy and
// paste take Shift as in GNOME Terminal and Windows Terminal; on macOS Cmd is free for them.

export type TerminalKeyAction = 'copy' | 'paste' | 'search' | 'font-bigger' | 'font-smaller' | 'font-reset';

export const terminalKeyAction = (
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
  mac: boolean,
): TerminalKeyAction | undefined => {
  if (event.altKey) return undefined;
  const mod = mac ? event.metaKey : event.ctrlKey && !event.metaKey;
  if (!mod) return undefined;
  const key = event.key.toLowerCase();
  // Copy, paste and find need Shift on Linux and Windows; on macOS Cmd alone is enough (Shift is tolerated).
  if (mac || event.shiftKey) {
    if (key === 'c') return 'copy';
    if (key === 'v') return 'paste';
    if (key === 'f') return 'search';
  }
  if (key === '=' || key === '+') return 'font-bigger';
  if (key === '-' || key === '_') return 'font-smaller';
  if (key === '0' && !event.shiftKey) return 'font-reset';
  return undefined;
};
