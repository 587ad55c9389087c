import { colorEnabled, startActivity } from './terminal';

describe('colorEnabled', () => {
  it('follows the terminal unless NO_COLOR or FORCE_COLOR say otherwise', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    // FORCE_COLOR wins over NO_COLOR: it is the more specific request
    expect(colorEnabled({ isTTY: false }, { NO_COLOR: '1', FORCE_COLOR: 'true' })).toBe(true);
  });
});

describe('startActivity without a terminal', () => {
  it('stays silent for short work and writes plain lines every few seconds for long work', () => {
    let t = 0;
    const lines: string[] = [];
    const quick = startActivity('query', { interactive: false, write: (s) => lines.push(s), now: () => t });
    quick.update('running');
    quick.stop('done');
    expect(lines).toEqual([]);

    const slow = startActivity('query', { interactive: false, write: (s) => lines.push(s), now: () => t });
    t = 6_000;
    slow.update('running: 10 rows scanned');
    t = 7_000;
    slow.update('running: 20 rows scanned');
    t = 12_000;
    slow.update('running: 30 rows scanned');
    slow.stop('succeeded');
    expect(lines).toEqual(['query: running: 10 rows scanned (6s)\n', 'query: running: 30 rows scanned (12s)\n', 'query: succeeded (12s)\n']);
  });
});
