import { memo } from 'react';
import { Alert, Badge, Group, Select, Stack, Table, Text, Tooltip, useComputedColorScheme } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../../api/api-error';
import { useSchema } from './streams-api';
import { schemaTree, utcTime, type SchemaNode } from './streams-model';

/** The inferred schema as a field tree, any version of it, with the fields that changed from the version before marked. */
// memo: the stream page re-renders every second for its "ago" texts; this tab does not need to.
export const StreamSchemaTab = memo(function StreamSchemaTab({ stream }: { stream: string }) {
  const [params, setParams] = useSearchParams();
  const latest = useSchema(stream);
  const versions = latest.data?.versions ?? (latest.data ? [{ version: latest.data.version, firstSeen: latest.data.firstSeen, lastSeen: latest.data.lastSeen }] : []);
  const wanted = Number(params.get('version')) || undefined;
  const selectedVersion = wanted && versions.some((v) => v.version === wanted) ? wanted : latest.data?.version;
  const isLatest = selectedVersion === latest.data?.version;
  const selected = useSchema(stream, selectedVersion, !isLatest && selectedVersion !== undefined);
  const previousVersion = versions.filter((v) => selectedVersion !== undefined && v.version < selectedVersion).at(-1)?.version;
  const previous = useSchema(stream, previousVersion, previousVersion !== undefined);

  if (latest.isPending) return <Text c="dimmed">Loading schema…</Text>;
  if (latest.isError) {
    const code = (latest.error as { code?: string }).code;
    const none = code === 'SCHEMA_NOT_INFERRED' || code === 'STREAM_NOT_FOUND';
    return (
      <Alert color={none ? 'gray' : 'red'} title={none ? 'No schema yet' : 'Schema unavailable'}>
        {none ? 'The catalog infers a schema from the first archived objects of a stream; it appears here once records are archived.' : errorMessage(latest.error)}
      </Alert>
    );
  }
  const doc = isLatest ? latest.data : selected.data;
  // A catalog that ignores `?version=` answers the latest: say so instead of showing it under the wrong number.
  const versionServed = doc?.version === selectedVersion;
  const prevDoc = previous.data && previous.data.version === previousVersion ? previous.data : null;
  const { nodes, removed } = schemaTree(versionServed && doc ? doc.fields : [], previousVersion === undefined ? null : (prevDoc?.fields ?? null));
  const changed = nodes.filter((n) => n.change).length;

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="end">
        <Select
          label="Schema version"
          w={320}
          value={selectedVersion === undefined ? null : String(selectedVersion)}
          onChange={(v) => setParams((p) => (v ? p.set('version', v) : p.delete('version'), p), { replace: true })}
          data={[...versions].reverse().map((v) => ({ value: String(v.version), label: `v${v.version} · from ${utcTime(v.firstSeen)}${v.version === latest.data.version ? ' (latest)' : ''}` }))}
          allowDeselect={false}
        />
        <Text size="sm" c="dimmed">
          {doc && versionServed ? `${doc.format} · ${doc.fields.length} fields · seen ${utcTime(doc.firstSeen)} to ${utcTime(doc.lastSeen)}` : ''}
          {previousVersion !== undefined && prevDoc ? ` · ${changed} changed since v${previousVersion}` : ''}
        </Text>
      </Group>
      {selected.isError && <Alert color="red">{errorMessage(selected.error)}</Alert>}
      {doc && !versionServed && (
        <Alert color="yellow">This catalog does not serve older schema versions (GET /schema?version=N); only the latest, v{latest.data.version}, can be shown.</Alert>
      )}
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label="schema fields" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th>Types</Table.Th>
              <Table.Th>Nullable</Table.Th>
              <Table.Th>Change</Table.Th>
              <Table.Th>Last seen</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {nodes.map((n) => (
              <FieldRow key={n.path} node={n} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {removed.length > 0 && (
        <Text size="sm">
          Not seen in this version (present in v{previousVersion}): {removed.map((r) => r.path).join(', ')}
        </Text>
      )}
    </Stack>
  );
});

const CHANGE_LABEL = { added: 'new', types: 'type changed', nullability: 'nullability changed' } as const;

function FieldRow({ node }: { node: SchemaNode }) {
  const f = node.field;
  const dark = useComputedColorScheme('light') === 'dark';
  // A changed field: a yellow edge and a faint tint (a full yellow row is too loud on the dark scheme).
  const changed = node.change ? { boxShadow: 'inset 4px 0 0 var(--mantine-color-yellow-filled)', background: dark ? 'rgba(250, 176, 5, 0.08)' : 'var(--mantine-color-yellow-0)' } : undefined;
  return (
    <Table.Tr style={changed}>
      <Table.Td style={{ paddingLeft: 12 + node.depth * 20, fontFamily: 'var(--mantine-font-family-monospace)' }}>
        <Tooltip label={node.path}>
          <span>
            {node.depth > 0 ? '└ ' : ''}
            {node.name}
          </span>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {f?.types.map((t) => (
            <Badge key={t} variant="light" size="sm" tt="none">
              {t}
            </Badge>
          )) ?? (
            <Text size="sm" c="dimmed">
              object
            </Text>
          )}
        </Group>
      </Table.Td>
      <Table.Td>{f ? (f.nullable ? 'nullable' : 'required') : ''}</Table.Td>
      <Table.Td>
        {node.change && (
          <Tooltip
            label={node.before ? `was ${node.before.types.join(' | ')}${node.before.nullable ? ', nullable' : ', required'}` : 'not in the previous version'}
            disabled={!node.before && node.change !== 'added'}
          >
            <Badge color="yellow" size="sm" variant="filled" aria-label={`changed: ${CHANGE_LABEL[node.change]}`}>
              {CHANGE_LABEL[node.change]}
            </Badge>
          </Tooltip>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{f ? utcTime(f.lastSeen) : ''}</Text>
      </Table.Td>
    </Table.Tr>
  );
}
