import { isNodeDefault, registeredMetrics } from './metrics-registry';

// Prints the metrics table rows (a starting point for docs/operations.md; the meanings are edited there).
for (const m of registeredMetrics().filter((x) => !isNodeDefault(x.name)).sort((a, b) => a.name.localeCompare(b.name))) {
  console.log(`| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '–'} | ${m.help} |`);
}
