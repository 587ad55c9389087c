import { Badge, Code, CopyButton, Button, Drawer, Group, ScrollArea, SegmentedControl, Stack, Table, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import type { ResultColumn, ResultRow } from '../../api/query-api';
import { cellText, prettyJson } from './cell-text';
import { decodeBase64, formatBytes, formatSize, type ByteEncoding } from './record-bytes';

const META = ['shard_id', 'sequence_number', 'sub_sequence_number', 'partition_key', 'arrival_time', 'source'];

/**
 * One result row: its record metadata, `payload` as JSON (numbers exact) and `data` as bytes (UTF-8, hex, base64).
 * A row without those columns (an aggregate) shows all its columns as JSON.
 */
export function RecordDrawer({ row, columns, onClose }: { row: ResultRow | null; columns: ResultColumn[]; onClose: () => void }) {
  const [encoding, setEncoding] = useState<ByteEncoding>('utf8');
  const names = new Set(columns.map((c) => c.name));
  const hasPayload = names.has('payload');
  const data = typeof row?.data === 'string' ? row.data : null;
  const json = row ? prettyJson(hasPayload ? row.payload : row) : '';
  const meta = META.filter((m) => names.has(m));
  return (
    <Drawer opened={row !== null} onClose={onClose} position="right" size="xl" title="Record" scrollAreaComponent={ScrollArea.Autosize}>
      {row && (
        <Stack>
          {meta.length > 0 && (
            <Table withRowBorders={false} verticalSpacing={2} aria-label="Record metadata">
              <Table.Tbody>
                {meta.map((m) => (
                  <Table.Tr key={m}>
                    <Table.Th w={170} fw={500} c="dimmed">
                      {m}
                    </Table.Th>
                    <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {m === 'source' ? <Badge variant="light">{cellText(row[m])}</Badge> : cellText(row[m])}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Tabs defaultValue="json">
            <Tabs.List>
              <Tabs.Tab value="json">{hasPayload ? 'Payload (JSON)' : 'Row (JSON)'}</Tabs.Tab>
              {data !== null && <Tabs.Tab value="bytes">Raw bytes ({formatSize(decodeBase64(data).length)})</Tabs.Tab>}
            </Tabs.List>
            <Tabs.Panel value="json" pt="sm">
              <Group justify="flex-end" mb={4}>
                <CopyButton value={json}>{({ copied, copy }) => <Button size="compact-xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy JSON'}</Button>}</CopyButton>
              </Group>
              {hasPayload && (row.payload === null || row.payload === undefined) ? (
                <Text size="sm" c="dimmed">
                  payload is NULL: the record's bytes are not UTF-8 JSON. See the raw bytes.
                </Text>
              ) : (
                <Code block className="flux-json" aria-label="Record JSON">
                  {json}
                </Code>
              )}
            </Tabs.Panel>
            {data !== null && (
              <Tabs.Panel value="bytes" pt="sm">
                <SegmentedControl
                  size="xs"
                  mb="xs"
                  aria-label="Byte encoding"
                  value={encoding}
                  onChange={(v) => setEncoding(v as ByteEncoding)}
                  data={[
                    { value: 'utf8', label: 'UTF-8' },
                    { value: 'hex', label: 'Hex' },
                    { value: 'base64', label: 'Base64' },
                  ]}
                />
                <Code block className="flux-json" aria-label="Raw bytes">
                  {formatBytes(data, encoding)}
                </Code>
              </Tabs.Panel>
            )}
          </Tabs>
        </Stack>
      )}
    </Drawer>
  );
}
