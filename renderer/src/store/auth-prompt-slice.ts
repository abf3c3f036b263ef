// Keyboard-interactive rounds main is waiting on, oldest first; the prompt dialog answers the first.
import type { StateCreator } from 'zustand';
import type { AuthPrompt } from '../../../main/core/app-api';
import type { AppState } from './store';

export interface AuthPromptSlice {
  authPrompts: readonly AuthPrompt[];
  pushAuthPrompt: (prompt: AuthPrompt) => void;
  removeAuthPrompt: (promptId: string) => void;
}

export const createAuthPromptSlice: StateCreator<AppState, [], [], AuthPromptSlice> = (set) => ({
  authPrompts: [],
  pushAuthPrompt: (prompt) =>
    set((state) =>
      state.authPrompts.some((p) => p.promptId === prompt.promptId)
        ? {}
        : { authPrompts: [...state.authPrompts, prompt] },
    ),
  removeAuthPrompt: (promptId) =>
    set((state) => ({ authPrompts: state.authPrompts.filter((p) => p.promptId !== promptId) })),
});
