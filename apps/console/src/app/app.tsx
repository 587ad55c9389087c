import { Alert, Center, Loader, MantineProvider } from '@mantine/core';
import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiProvider } from '../api/api-context';
import { loadConsoleConfig } from '../api/console-config';
import { AppLayout } from './app-layout';
import { onTokenChange, useToken } from './auth';
import { createConsoleQueryClient } from './query-client';
import { SignInPage } from './sign-in-page';
import { theme } from './theme';

// Pages are split chunks: the first paint loads only the shell and the page shown (the bundle budget counts Search).
const SearchPage = lazy(() => import('../pages/search/search-page'));
const StreamsPage = lazy(() => import('../pages/streams/streams-page'));
const StreamPage = lazy(() => import('../pages/streams/stream-page'));
const ReplaysPage = lazy(() => import('../pages/replays/replays-page'));
const NewReplayPage = lazy(() => import('../pages/replays/new-replay-page'));
const ReplayPage = lazy(() => import('../pages/replays/replay-page'));

const queryClient = createConsoleQueryClient(onTokenChange);

export const PageLoader = () => (
  <Center h={200}>
    <Loader aria-label="Loading" />
  </Center>
);

function Routed() {
  const token = useToken();
  const config = useQuery({ queryKey: ['console-config'], queryFn: loadConsoleConfig, staleTime: Infinity });
  if (config.isPending) return <PageLoader />;
  if (config.isError)
    return (
      <Center p="xl">
        <Alert color="red" title="The query gateway did not answer">
          Could not load /console-config.json: {config.error.message}. Is the query gateway running?
        </Alert>
      </Center>
    );
  if (!token) return <SignInPage config={config.data} />;
  return (
    <ApiProvider config={config.data} token={token}>
      <AppLayout>
        <Suspense fallback={<PageLoader />}>
          <Routes>
            <Route path="/" element={<Navigate to="/search" replace />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/streams" element={<StreamsPage />} />
            <Route path="/streams/:name" element={<StreamPage />} />
            <Route path="/replays" element={<ReplaysPage />} />
            <Route path="/replays/new" element={<NewReplayPage />} />
            <Route path="/replays/:id" element={<ReplayPage />} />
            <Route path="*" element={<Alert color="yellow" title="No such page">Use the navigation above.</Alert>} />
          </Routes>
        </Suspense>
      </AppLayout>
    </ApiProvider>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Routed />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
