import { createTheme } from '@mantine/core';

/** One token set for light and dark (Mantine derives both schemes from it). */
export const theme = createTheme({
  primaryColor: 'blue',
  // no sliding drawers for people (and browser tests) who ask for reduced motion
  respectReducedMotion: true,
  // white on blue.8 meets 4.5:1 (blue.6, the default, does not)
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
});
