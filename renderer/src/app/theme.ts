// Light and dark themes: dense (13 px, small controls), calm (quiet surfaces, one blue accent), as an admin console should be.
import { createTheme } from '@mui/material/styles';
// Types for CSS-variable themes (colorSchemes, vars, forceThemeRerender).
import type {} from '@mui/material/themeCssVarsAugmentation';

const fontFamily = [
  '-apple-system',
  'BlinkMacSystemFont',
  '"Segoe UI"',
  'Roboto',
  '"Noto Sans"',
  '"PingFang SC"',
  '"Microsoft YaHei"',
  '"Noto Sans CJK SC"',
  '"WenQuanYi Micro Hei"',
  'sans-serif',
].join(',');

export const monoFontFamily = [
  'ui-monospace',
  '"SF Mono"',
  '"Cascadia Mono"',
  '"DejaVu Sans Mono"',
  'Menlo',
  'monospace',
].join(',');

export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#2a6cb0' },
        background: { default: '#f2f4f7', paper: '#ffffff' },
        divider: 'rgba(15, 30, 50, 0.11)',
        text: { primary: '#1d2733', secondary: '#5b6878' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#6ea8e6' },
        background: { default: '#0f1216', paper: '#171b21' },
        divider: 'rgba(200, 215, 235, 0.12)',
        text: { primary: '#dfe5ec', secondary: '#97a3b1' },
      },
    },
  },
  shape: { borderRadius: 6 },
  typography: {
    fontFamily,
    fontSize: 13,
    h6: { fontSize: 15, fontWeight: 600 },
    subtitle1: { fontSize: 13.5, fontWeight: 600 },
    subtitle2: { fontSize: 12.5, fontWeight: 600 },
    body2: { fontSize: 12.5 },
    caption: { fontSize: 11.5 },
    button: { textTransform: 'none', fontWeight: 500 },
  },
  components: {
    MuiButton: { defaultProps: { size: 'small', disableElevation: true } },
    MuiIconButton: { defaultProps: { size: 'small' } },
    MuiTextField: { defaultProps: { size: 'small', fullWidth: true } },
    MuiFormControl: { defaultProps: { size: 'small' } },
    MuiToggleButtonGroup: { defaultProps: { size: 'small' } },
    MuiToggleButton: { styleOverrides: { root: { paddingTop: 2, paddingBottom: 2, textTransform: 'none' } } },
    MuiTooltip: { defaultProps: { enterDelay: 400, arrow: true } },
    MuiCard: { defaultProps: { variant: 'outlined' } },
    MuiPaper: { styleOverrides: { root: { backgroundImage: 'none' } } },
    MuiChip: { defaultProps: { size: 'small' }, styleOverrides: { root: { fontWeight: 500 } } },
    MuiTab: { styleOverrides: { root: { minHeight: 36, paddingTop: 6, paddingBottom: 6, textTransform: 'none' } } },
    MuiTabs: { styleOverrides: { root: { minHeight: 36 } } },
    MuiDialogTitle: { styleOverrides: { root: { fontSize: 16, fontWeight: 600 } } },
    MuiCssBaseline: {
      styleOverrides: {
        'html, body, #root': { height: '100%', overflow: 'hidden' },
        body: { WebkitFontSmoothing: 'antialiased' },
        '*::-webkit-scrollbar': { width: 10, height: 10 },
        '*::-webkit-scrollbar-thumb': {
          backgroundColor: 'rgba(128,128,128,0.35)',
          borderRadius: 5,
          border: '2px solid transparent',
          backgroundClip: 'content-box',
        },
      },
    },
  },
});
