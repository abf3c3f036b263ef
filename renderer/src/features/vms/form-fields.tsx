// Small form controls for the VM dialogs: a text field, a native select and a checkbox, each with a data-testid
// on the element an end-to-end test types into, selects on or clicks.
import type { ReactNode } from 'react';
import TextField from '@mui/material/TextField';
import FormControlLabel from '@mui/material/FormControlLabel';
import Checkbox from '@mui/material/Checkbox';
import { useT } from '../../i18n/use-t';
import type { MessageKey } from '../../i18n/translate';

interface TextProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  error?: MessageKey | undefined;
  type?: 'text' | 'password' | 'number';
  multiline?: boolean;
  placeholder?: string;
  disabled?: boolean;
  helper?: string;
  autoFocus?: boolean;
}

export function TextInput(p: TextProps) {
  const t = useT();
  return (
    <TextField
      label={p.label}
      size="small"
      value={p.value}
      type={p.type ?? 'text'}
      multiline={p.multiline === true}
      minRows={p.multiline === true ? 3 : undefined}
      disabled={p.disabled === true}
      autoFocus={p.autoFocus === true}
      placeholder={p.placeholder}
      error={p.error !== undefined}
      helperText={p.error !== undefined ? t(p.error) : (p.helper ?? ' ')}
      onChange={(event) => p.onChange(event.target.value)}
      slotProps={{ htmlInput: { 'data-testid': p.testId, spellCheck: false }, inputLabel: { shrink: true } }}
    />
  );
}

export function SelectInput<V extends string>(p: {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  testId: string;
  error?: MessageKey | undefined;
  disabled?: boolean;
  children?: ReactNode;
}) {
  const t = useT();
  return (
    <TextField
      select
      label={p.label}
      size="small"
      value={p.value}
      disabled={p.disabled === true}
      error={p.error !== undefined}
      helperText={p.error !== undefined ? t(p.error) : ' '}
      onChange={(event) => p.onChange(event.target.value as V)}
      slotProps={{ select: { native: true }, htmlInput: { 'data-testid': p.testId }, inputLabel: { shrink: true } }}
    >
      {p.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </TextField>
  );
}

export function CheckInput(p: { label: string; checked: boolean; onChange: (checked: boolean) => void; testId: string; disabled?: boolean }) {
  return (
    <FormControlLabel
      label={p.label}
      disabled={p.disabled === true}
      control={
        <Checkbox
          size="small"
          checked={p.checked}
          onChange={(event) => p.onChange(event.target.checked)}
          slotProps={{ input: { 'data-testid': p.testId } as object }}
        />
      }
    />
  );
}
