// Global keyboard shortcuts, taken from the command registry.
import { useEffect } from 'react';
import { commands, matchesShortcut, runCommand } from './commands';

export function Shortcuts() {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      for (const command of commands) {
        if (command.shortcut && matchesShortcut(command.shortcut, event)) {
          if (runCommand(command)) event.preventDefault();
          return;
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
  return null;
}
