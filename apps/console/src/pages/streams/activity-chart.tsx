import { useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes, formatCount, type ActivityPoint } from './streams-model';

/**
 * Records (bars) and bytes (line, right axis) archived per hour, on a UTC time axis. uPlot draws on a canvas, so the
 * chart is rebuilt when the colour scheme changes (its colours are not CSS) and resized with its container.
 */
/** `14:00`, and the date under midnight (UTC, 24-hour: the rest of the console speaks UTC). */
function hourLabel(ts: number): string {
  const iso = new Date(ts * 1000).toISOString();
  return iso.slice(11, 13) === '00' ? `${iso.slice(11, 16)}\n${iso.slice(5, 10)}` : iso.slice(11, 16);
}

export function ActivityChart({ points, height = 260 }: { points: ActivityPoint[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme('light');
  const theme = useMantineTheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dark = scheme === 'dark';
    const text = dark ? theme.colors.dark[1] : theme.colors.gray[7];
    const grid = dark ? theme.colors.dark[4] : theme.colors.gray[3];
    const bar = theme.colors.blue[dark ? 4 : 6];
    const line = theme.colors.orange[dark ? 4 : 7];
    const data: uPlot.AlignedData = [points.map((p) => Date.parse(p.startsAt) / 1000), points.map((p) => p.records), points.map((p) => p.bytes)];
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          // Half an hour of room either side, so the first and last bars are drawn whole.
          x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] },
          bytes: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          { label: 'Hour (UTC)' },
          {
            label: 'Records',
            stroke: bar,
            fill: `${bar}99`,
            width: 1,
            paths: uPlot.paths.bars?.({ size: [0.7, 40], align: 0 }),
            points: { show: false },
            value: (_u, v) => (v === null ? '–' : formatCount(v)),
          },
          { label: 'Bytes', scale: 'bytes', stroke: line, width: 2, points: { show: true, size: 5 }, value: (_u, v) => (v === null ? '–' : formatBytes(v)) },
        ],
        axes: [
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, splits) => splits.map(hourLabel), space: 60 },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, vals) => vals.map((v) => formatCount(v)), size: 60 },
          { side: 1, scale: 'bytes', stroke: text, grid: { show: false }, values: (_u, vals) => vals.map((v) => formatBytes(v)), size: 70 },
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, height, scheme, theme]);

  return <div ref={box} className={scheme === 'dark' ? 'flux-uplot-dark' : undefined} />;
}
