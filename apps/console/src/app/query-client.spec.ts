import { describe, expect, it } from 'vitest';
import { createConsoleQueryClient } from './query-client';

describe('the console query client', () => {
  it('drops every user query when the token changes, keeping only the console config', () => {
    const listeners: (() => void)[] = [];
    const client = createConsoleQueryClient((listener) => listeners.push(listener));
    client.setQueryData(['console-config'], { queryUrl: '' });
    client.setQueryData(['catalog', 'streams'], [{ name: 'orders' }]);
    client.setQueryData(['replays', 'list'], [{ id: 'r1' }]);
    listeners.forEach((l) => l());
    expect(client.getQueryData(['catalog', 'streams'])).toBeUndefined();
    expect(client.getQueryData(['replays', 'list'])).toBeUndefined();
    expect(client.getQueryData(['console-config'])).toEqual({ queryUrl: '' });
  });
});
