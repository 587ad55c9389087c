import { useEffect, useState } from 'react';
import { Badge, Group, Progress, Text, Tooltip } from '@mantine/core';
import { formatDuration, HEALTH_COLOR, HEALTH_LABEL, type Health } from './streams-model';

export function HealthBadge({ health }: { health: Health }) {
  return (
    <Badge color={HEALTH_COLOR[health]} variant={health === 'healthy' ? 'light' : 'filled'} aria-label={`health: ${HEALTH_LABEL[health]}`}>
      {HEALTH_LABEL[health]}
    </Badge>
  );
}

/**
 * The age of the oldest unarchived record against the stream's retention: a bar that turns orange past half (the
 * archiver's `atRisk`) and red past 80 %, with the numbers beside it, and a plain-text warning for screen readers.
 */
export function RetentionMeter({ ageMs, retentionHours, share, atRisk }: { ageMs: number | null; retentionHours: number | null; share: number | null; atRisk: boolean }) {
  if (ageMs === null || ageMs === 0) {
    return (
      <Text size="sm" c="dimmed">
        nothing waiting{retentionHours === null ? '' : ` · ${retentionHours} h retention`}
      </Text>
    );
  }
  const risky = atRisk || (share !== null && share >= 0.5);
  const color = share !== null && share >= 0.8 ? 'red' : risky ? 'orange' : 'teal';
  const label = retentionHours === null ? `${formatDuration(ageMs)} (retention unknown)` : `${formatDuration(ageMs)} of ${retentionHours} h retention`;
  return (
    <Tooltip label={risky ? 'Past half the retention: records may expire from Kinesis before they are archived' : 'Oldest record not archived yet, against the retention'}>
      <div style={{ minWidth: 160 }}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" c={risky ? color : undefined} fw={risky ? 600 : undefined}>
            {label}
          </Text>
          {risky && (
            <Text size="sm" c={color} fw={700}>
              ⚠ past half
            </Text>
          )}
        </Group>
        {share !== null && <Progress value={Math.min(100, share * 100)} color={color} size="sm" aria-label={`oldest unarchived record at ${Math.round(share * 100)} % of retention`} />}
      </div>
    </Tooltip>
  );
}

/** `12 s ago` beside the exact UTC time in a tooltip. */
export function Ago({ at, now }: { at: string | null; now: number }) {
  if (!at) return <Text span size="sm" c="dimmed">never</Text>;
  return (
    <Tooltip label={`${at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC`}>
      <Text span size="sm">
        {formatDuration(now - Date.parse(at))} ago
      </Text>
    </Tooltip>
  );
}

/** `1.2 s` behind the stream's tip; "caught up" at zero. */
export function LagText({ ms }: { ms: number | null }) {
  if (ms === null) return <Text span size="sm" c="dimmed">–</Text>;
  if (ms === 0) return <Text span size="sm">caught up</Text>;
  return <Text span size="sm">{ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms)}</Text>;
}

/** The current time, advancing every `everyMs`, so "ago" texts move between polls. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
