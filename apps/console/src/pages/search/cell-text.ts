import { isLosslessNumber, stringify } from 'lossless-json';

/** A result value as grid text: NULL, numbers exactly as the API sent them (56-digit sequence numbers included), JSON compact. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (isLosslessNumber(value)) return value.toString();
  if (typeof value === 'object') return stringify(value) ?? '';
  return String(value);
}

/** Pretty JSON for the record drawer, numbers kept exact. */
export function prettyJson(value: unknown): string {
  return stringify(value, undefined, 2) ?? 'null';
}
