import type { MessageType } from '@flux-capacitor/contracts';

export interface RegisteredHandler {
  pattern: string;
  /** Event handlers for one pattern chain; more than one means two methods handle the same type. */
  count: number;
  isEventHandler: boolean;
}

/**
 * The start-up rule: every message type routed to the queue has exactly one `@EventPattern` handler, and no
 * handler exists for a type that is not routed there (it would never be called). Returns the problems, empty
 * when the registration is right.
 */
export function checkHandlers(routed: readonly MessageType[], handlers: readonly RegisteredHandler[]): string[] {
  const problems: string[] = [];
  const byPattern = new Map(handlers.map((h) => [h.pattern, h]));
  const missing = routed.filter((t) => !byPattern.has(t));
  if (missing.length > 0) problems.push(`no handler for routed message type(s) ${missing.join(', ')}`);
  const several = handlers.filter((h) => h.count > 1).map((h) => `${h.pattern} (${h.count})`);
  if (several.length > 0) problems.push(`more than one handler for ${several.join(', ')}`);
  const requestResponse = handlers.filter((h) => !h.isEventHandler).map((h) => h.pattern);
  if (requestResponse.length > 0) {
    problems.push(`@MessagePattern is not supported over SQS (events only): ${requestResponse.join(', ')}`);
  }
  const stray = handlers.filter((h) => !(routed as readonly string[]).includes(h.pattern)).map((h) => h.pattern);
  if (stray.length > 0) problems.push(`handler(s) for message type(s) not routed to this queue: ${stray.join(', ')}`);
  return problems;
}
