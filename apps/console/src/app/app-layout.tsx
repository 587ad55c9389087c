import { AppShell, Button, Group, SegmentedControl, Text, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { setToken } from './auth';

const NAV = [
  { to: '/search', label: 'Search' },
  { to: '/streams', label: 'Streams' },
  { to: '/replays', label: 'Replays' },
];

function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <SegmentedControl
      size="xs"
      aria-label="Colour scheme"
      value={colorScheme}
      onChange={(v) => setColorScheme(v as MantineColorScheme)}
      data={[
        { value: 'light', label: 'Light' },
        { value: 'dark', label: 'Dark' },
        { value: 'auto', label: 'Auto' },
      ]}
    />
  );
}

/** Header with the navigation, the colour scheme and sign-out; the page below. */
export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Text fw={700}>flux-capacitor</Text>
            <Group component="nav" aria-label="Main" gap={4} wrap="nowrap">
              {NAV.map((item) => (
                <NavLink key={item.to} to={item.to} style={{ textDecoration: 'none' }}>
                  {({ isActive }) => (
                    <Button component="span" size="compact-sm" variant={isActive ? 'light' : 'subtle'} aria-current={isActive ? 'page' : undefined}>
                      {item.label}
                    </Button>
                  )}
                </NavLink>
              ))}
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ColorSchemeToggle />
            <Button size="compact-sm" variant="default" onClick={() => setToken(null)}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
