import { Alert, Anchor, Button, Center, Code, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/api-error';
import type { ConsoleConfig } from '../api/console-config';
import { unwrap } from '@flux-capacitor/api-client';
import { consoleClient } from '../api/api-context';
import { setToken, signOutReason } from './auth';

/** The token box. The token is checked against the gateway before it is kept, so a typo is caught here. */
export function SignInPage({ config }: { config: ConsoleConfig }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (!token) return setError('Enter your API token.');
    setBusy(true);
    setError(null);
    try {
      await unwrap(consoleClient(config, token).query.GET('/v1/queries', { params: { query: { limit: 1 } } }));
      setToken(token);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100%" p="md">
      <Paper withBorder shadow="sm" p="xl" w={460} component="form" onSubmit={submit} aria-label="Sign in">
        <Stack>
          <Title order={2}>flux-capacitor</Title>
          <Text c="dimmed" size="sm">
            Sign in with an API token. <Code>npm start</Code> prints a sign-in link; the token is also <Code>FLUX_API_TOKEN</Code> in{' '}
            <Code>.flux/dev.env</Code>. It is kept in this tab only (session storage).
          </Text>
          {signOutReason && !error && <Alert color="yellow">{signOutReason}</Alert>}
          <PasswordInput label="API token" value={value} onChange={(e) => setValue(e.currentTarget.value)} autoFocus autoComplete="off" error={error} />
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
          <Text size="xs" c="dimmed">
            API reference: <Anchor href="/docs">/docs</Anchor>
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
