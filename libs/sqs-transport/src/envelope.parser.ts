import { describeZodIssues, envelopeSchema, isMessageType, MessageContracts, type Envelope, type MessageType } from '@flux-capacitor/contracts';
import type { z } from 'zod';

/** Why a message can never be handled; each goes straight to the dead-letter queue. */
export type PoisonReason = 'malformed-json' | 'invalid-envelope' | 'unknown-type' | 'unsupported-version' | 'invalid-payload';

export type ParsedEnvelope =
  | { ok: true; envelope: Envelope & { type: MessageType } }
  | { ok: false; reason: PoisonReason; detail: string; type?: string; id?: string };

const describeIssues = (error: z.ZodError) => describeZodIssues(error).join('; ');

/**
 * Parses an SQS message body into an envelope and validates its payload against the message contract of its
 * type and version (the current one, or an older one the contract still accepts and upgrades). The payload in the
 * result is the schema's output (unknown keys dropped).
 */
export function parseEnvelope(body: string | undefined): ParsedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch (err) {
    return { ok: false, reason: 'malformed-json', detail: `body is not JSON: ${(err as Error).message}` };
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) {
    const raw = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    return {
      ok: false,
      reason: 'invalid-envelope',
      detail: describeIssues(env.error),
      type: typeof raw.type === 'string' ? raw.type : undefined,
      id: typeof raw.id === 'string' ? raw.id : undefined,
    };
  }
  const { type, version, id } = env.data;
  if (!isMessageType(type)) {
    return { ok: false, reason: 'unknown-type', detail: `unknown message type "${type}"`, type, id };
  }
  const contract = MessageContracts[type];
  const previous = 'previous' in contract ? (contract.previous as Record<number, z.ZodType>)[version] : undefined;
  const schema = version === contract.version ? (contract.schema as z.ZodType) : previous;
  if (!schema) {
    return {
      ok: false,
      reason: 'unsupported-version',
      detail: `"${type}" version ${version} is not supported (this build handles version ${contract.version})`,
      type,
      id,
    };
  }
  const payload = schema.safeParse(env.data.payload);
  if (!payload.success) {
    return { ok: false, reason: 'invalid-payload', detail: describeIssues(payload.error), type, id };
  }
  // An older version arrives upgraded: handlers see the current shape and version only.
  return { ok: true, envelope: { ...env.data, type, version: contract.version, payload: payload.data } };
}
