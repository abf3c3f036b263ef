// The top bar: product name, command palette, add node, language and theme switches.
import AppBar from '@mui/material/AppBar';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import Button from '@mui/material/Button';
import ButtonBase from '@mui/material/ButtonBase';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Box from '@mui/material/Box';
import HubRounded from '@mui/icons-material/HubRounded';
import SearchRounded from '@mui/icons-material/SearchRounded';
import LightModeOutlined from '@mui/icons-material/LightModeOutlined';
import DarkModeOutlined from '@mui/icons-material/DarkModeOutlined';
import SettingsBrightnessOutlined from '@mui/icons-material/SettingsBrightnessOutlined';
import { useT, useLanguage } from '../i18n/use-t';
import { useAppStore } from '../store/store';
import { cycleTheme, toggleLanguage } from '../features/preferences/actions';
import { commandById, runCommand, shortcutLabel } from './commands';

const themeIcons = { light: LightModeOutlined, dark: DarkModeOutlined, system: SettingsBrightnessOutlined };

export function TopBar() {
  const t = useT();
  const add = commandById('node.add');
  const palette = commandById('palette.open');
  return (
    <AppBar position="static" color="inherit" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
      <Toolbar variant="dense" sx={{ gap: 1.5, minHeight: 46 }}>
        <HubRounded color="primary" />
        <Typography variant="h6" component="div" sx={{ letterSpacing: 0.2, mr: 2 }}>
          {t('app.name')}
        </Typography>
        {palette && (
          <ButtonBase
            onClick={() => runCommand(palette)}
            sx={{
              flex: '0 1 360px',
              justifyContent: 'flex-start',
              gap: 1,
              px: 1.25,
              py: 0.5,
              borderRadius: 1,
              border: 1,
              borderColor: 'divider',
              color: 'text.secondary',
              bgcolor: 'action.hover',
              fontSize: 12.5,
            }}
          >
            <SearchRounded sx={{ fontSize: 16 }} />
            <Box component="span" sx={{ flex: 1, textAlign: 'left' }}>
              {t('topbar.commandPalette')}
            </Box>
            {palette.shortcut && (
              <Box component="kbd" sx={{ fontFamily: 'inherit', fontSize: 11, opacity: 0.8 }}>
                {shortcutLabel(palette.shortcut)}
              </Box>
            )}
          </ButtonBase>
        )}
        <Box sx={{ flex: 1 }} />
        {add && (
          <Tooltip title={add.shortcut ? shortcutLabel(add.shortcut) : ''}>
            <Button
              variant="contained"
              startIcon={<add.icon />}
              onClick={() => runCommand(add)}
              data-testid="add-node-button"
            >
              {t('cmd.addNode')}
            </Button>
          </Tooltip>
        )}
        <LanguageSwitch />
        <ThemeSwitch />
      </Toolbar>
    </AppBar>
  );
}

/** One click switches between the two languages; the active one is emphasized. */
function LanguageSwitch() {
  const t = useT();
  const language = useLanguage();
  const segment = (code: 'en' | 'zh-CN', text: string) => (
    <Box
      component="span"
      sx={{ fontWeight: language === code ? 700 : 400, color: language === code ? 'text.primary' : 'text.secondary' }}
    >
      {text}
    </Box>
  );
  return (
    <Tooltip title={t('topbar.language', { language: t(`language.${language}`) })}>
      <Button
        variant="outlined"
        color="inherit"
        onClick={toggleLanguage}
        data-testid="language-switch"
        data-language={language}
        sx={{ minWidth: 0, gap: 0.75, borderColor: 'divider' }}
      >
        {segment('en', 'EN')}
        <Box component="span" sx={{ color: 'text.disabled' }}>
          /
        </Box>
        {segment('zh-CN', '中文')}
      </Button>
    </Tooltip>
  );
}

/** Cycles light → dark → system. */
function ThemeSwitch() {
  const t = useT();
  const mode = useAppStore((s) => s.theme);
  const Icon = themeIcons[mode];
  return (
    <Tooltip title={t('topbar.theme', { mode: t(`theme.${mode}`) })}>
      <IconButton onClick={cycleTheme} data-testid="theme-switch" data-mode={mode} aria-label={t('cmd.cycleTheme')}>
        <Icon fontSize="small" />
      </IconButton>
    </Tooltip>
  );
}
