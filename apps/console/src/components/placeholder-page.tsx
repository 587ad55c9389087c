import { Stack, Text, Title } from '@mantine/core';

/** A page still to be built (Streams, Replays: see issue 11). */
export function PlaceholderPage({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      <Text c="dimmed">{children ?? 'This page is not built yet.'}</Text>
    </Stack>
  );
}
