import { z } from 'zod';

/** Response bodies of the catalog API: the OpenAPI document and the controller's return types both come from these. */

const format = z.enum(['json', 'binary']);

export const streamSummarySchema = z.object({
  name: z.string(),
  format: format.nullable().describe('null until schema inference saw a record'),
  objectCount: z.number().int(),
  recordCount: z.number().int(),
  bytes: z.number().int(),
  partitionCount: z.number().int(),
  firstArrivalTime: z.date().nullable(),
  lastArrivalTime: z.date().nullable(),
  schemaVersion: z.number().int().nullable().describe('the latest schema version, null before inference'),
  corruptObjectCount: z.number().int(),
});

export const streamsResponseSchema = z.object({ streams: z.array(streamSummarySchema) });

export const partitionsResponseSchema = z.object({
  stream: z.string(),
  partitions: z.array(
    z.object({
      stream: z.string(),
      dt: z.string().describe('YYYY-MM-DD'),
      hour: z.number().int(),
      location: z.string(),
      startsAt: z.date().describe('the first instant of the partition hour (UTC)'),
      objectCount: z.number().int(),
      recordCount: z.number().int(),
      bytes: z.number().int(),
    }),
  ),
});

export const schemaResponseSchema = z.object({
  stream: z.string(),
  version: z.number().int(),
  format,
  fields: z.array(
    z.object({
      path: z.string().describe('dotted path from the record root; array elements are [] (items[].sku)'),
      types: z.array(z.string()),
      nullable: z.boolean(),
      firstSeen: z.string(),
      lastSeen: z.string(),
      stringLengths: z
        .object({
          count: z.number().describe('string values measured (a weight: capped, so the mean follows recent values)'),
          meanBytes: z.number().describe('their mean UTF-8 length'),
          maxBytes: z.number().int().describe('the longest seen'),
        })
        .optional()
        .describe('lengths of the string values seen at the path; absent when it held none or the version predates the measure'),
    }),
  ),
  firstSeen: z.date(),
  lastSeen: z.date(),
  versions: z.array(z.object({ version: z.number().int(), firstSeen: z.date(), lastSeen: z.date() })).describe('every schema version, oldest first'),
});

export const corruptObjectsResponseSchema = z.object({
  stream: z.string(),
  objects: z.array(z.object({ uri: z.string(), reason: z.string(), detectedAt: z.date() })),
});

export type StreamsResponse = z.infer<typeof streamsResponseSchema>;
export type PartitionsResponse = z.infer<typeof partitionsResponseSchema>;
export type SchemaResponse = z.infer<typeof schemaResponseSchema>;
export type CorruptObjectsResponse = z.infer<typeof corruptObjectsResponseSchema>;
