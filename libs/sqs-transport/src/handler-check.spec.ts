import { checkHandlers } from './handler-check';

const handler = (pattern: string, count = 1, isEventHandler = true) => ({ pattern, count, isEventHandler });

describe('checkHandlers', () => {
  it('accepts exactly one event handler per routed type', () => {
    expect(checkHandlers(['archive.object.written'], [handler('archive.object.written')])).toEqual([]);
  });

  it('names a routed type without a handler', () => {
    expect(checkHandlers(['archive.object.written', 'catalog.partition.added'], [handler('catalog.partition.added')])).toEqual([
      'no handler for routed message type(s) archive.object.written',
    ]);
  });

  it('names a type with two handlers', () => {
    expect(checkHandlers(['archive.object.written'], [handler('archive.object.written', 2)])).toEqual([
      'more than one handler for archive.object.written (2)',
    ]);
  });

  it('names a handler for a type not routed to the queue', () => {
    expect(checkHandlers(['archive.object.written'], [handler('archive.object.written'), handler('catalog.partition.added')])).toEqual([
      'handler(s) for message type(s) not routed to this queue: catalog.partition.added',
    ]);
  });

  it('rejects request/response handlers: SQS carries events only', () => {
    expect(checkHandlers(['archive.object.written'], [handler('archive.object.written', 1, false)])).toEqual([
      '@MessagePattern is not supported over SQS (events only): archive.object.written',
    ]);
  });
});
