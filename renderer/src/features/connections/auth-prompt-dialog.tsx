// Keyboard-interactive: the server's name, instructions and prompts exactly as sent; hidden input when echo is off.
import { useState } from 'react';
import Dialog from '@mui/material/Dialog';
import DialogTitle from '@mui/material/DialogTitle';
import DialogContent from '@mui/material/DialogContent';
import DialogActions from '@mui/material/DialogActions';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import Box from '@mui/material/Box';
import type { AuthPrompt } from '../../../../main/core/app-api';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { respondAuthPrompt } from './actions';

export function AuthPromptDialog() {
  const prompt = useAppStore((s) => s.authPrompts[0]);
  return (
    <Dialog
      open={prompt !== undefined}
      onClose={() => prompt && void respondAuthPrompt(prompt.promptId, null)}
      maxWidth="xs"
      fullWidth
      data-testid="auth-prompt-dialog"
    >
      {prompt && <PromptBody key={prompt.promptId} prompt={prompt} />}
    </Dialog>
  );
}

function PromptBody({ prompt }: { prompt: AuthPrompt }) {
  const t = useT();
  const [answers, setAnswers] = useState<string[]>(() => prompt.prompts.map(() => ''));
  return (
    <Box
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        void respondAuthPrompt(prompt.promptId, answers);
      }}
    >
      <DialogTitle>{t('authPrompt.title', { node: prompt.node })}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {prompt.name && <Typography variant="subtitle2">{prompt.name}</Typography>}
        {prompt.instructions && (
          <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'pre-wrap' }}>
            {prompt.instructions}
          </Typography>
        )}
        {prompt.prompts.map((p, index) => (
          <TextField
            key={index}
            label={p.prompt.trim()}
            type={p.echo ? 'text' : 'password'}
            autoFocus={index === 0}
            autoComplete="off"
            value={answers[index] ?? ''}
            onChange={(e) => setAnswers((a) => a.map((v, i) => (i === index ? e.target.value : v)))}
            slotProps={{ htmlInput: { 'data-testid': `auth-prompt-answer-${index}` } }}
            sx={{ mt: index === 0 ? 1 : 0 }}
          />
        ))}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={() => void respondAuthPrompt(prompt.promptId, null)} data-testid="auth-prompt-cancel">
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="contained" data-testid="auth-prompt-submit">
          {t('authPrompt.submit')}
        </Button>
      </DialogActions>
    </Box>
  );
}
