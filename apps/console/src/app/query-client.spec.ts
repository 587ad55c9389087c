import { describe, expect, it } from 'vitest';
import { createConsoleQueryClient } from './query-client';

describe('the console query client', () => {
  it('drops every user query when the token changes, keeping only the console config', () => {
    let changed = () => {};
    const client = createConsoleQueryClient((listener) => (changed = listener));
    client.setQueryData(['console-config'], { queryUrl: '' });
    client.setQueryData(['catalog', 'streams'], [{ name: 'orders' }]);
    client.setQueryData(['replays', 'list'], [{ id: 'r1' }]);
    changed();
    expect(client.getQueryData(['catalog', 'streams'])).toBeUndefined();
    expect(client.getQueryData(['replays', 'list'])).toBeUndefined();
    expect(client.getQueryData(['console-config'])).toEqual({ queryUrl: '' });
  });
});
