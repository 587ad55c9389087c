import { archiveFieldColumns } from '@flux-capacitor/archive';
import { selectFieldColumns, type ArchiveFieldColumn, type SchemaFieldLike } from '@flux-capacitor/contracts';
import { CatalogSchemaVersion } from '@flux-capacitor/persistence';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ArchiverMetrics } from '../archiver.metrics';

/** The fields of a stream's latest catalog schema; null when the catalog has none yet. */
export interface FieldSchemaSource {
  latestFields(stream: string): Promise<readonly SchemaFieldLike[] | null>;
}

/**
 * Reads the latest catalog_schema_version row of a stream from the database every service shares. Through the
 * shared entity rather than the catalog's reader: the archiver and the catalog are separate features (lint scopes).
 */
export class CatalogSchemaSource implements FieldSchemaSource {
  constructor(private readonly dataSource: DataSource) {}

  async latestFields(stream: string): Promise<readonly SchemaFieldLike[] | null> {
    const row = await this.dataSource.getRepository(CatalogSchemaVersion).findOne({ select: { fields: true }, where: { stream }, order: { version: 'DESC' } });
    return row ? row.fields : null;
  }
}

/** How long a stream's choice is used before its schema is read again. */
export const FIELD_CHOICE_REFRESH_MS = 60_000;

interface Choice {
  fields: ArchiveFieldColumn[];
  readAt: number;
}

/**
 * Which field columns each stream's next objects get: selectFieldColumns over the stream's latest catalog schema,
 * long text left out (a second copy of it costs more than it saves), at most `max` (FLUX_ARCHIVER_FIELD_COLUMNS; 0: none, the schema is never read). Cached per stream and read again
 * after FIELD_CHOICE_REFRESH_MS, so a schema change reaches the objects written a minute later; objects already
 * written keep their columns. A failed read never stops archiving: the stream keeps its last choice (none if it
 * never had one), the failure is logged and counted, and the read is tried again at the next write.
 */
export class FieldColumnChoices {
  private readonly logger = new Logger(FieldColumnChoices.name);
  private readonly choices = new Map<string, Choice>();
  private readonly reading = new Map<string, Promise<ArchiveFieldColumn[]>>();

  constructor(
    private readonly source: FieldSchemaSource,
    private readonly max: number,
    private readonly metrics: ArchiverMetrics,
    private readonly refreshMs = FIELD_CHOICE_REFRESH_MS,
  ) {}

  /** The stream's field columns for an object written now (read from the catalog when the cached choice is stale). */
  async forStream(stream: string): Promise<ArchiveFieldColumn[]> {
    if (this.max <= 0) return [];
    const cached = this.choices.get(stream);
    if (cached && Date.now() - cached.readAt < this.refreshMs) return cached.fields;
    return this.refresh(stream);
  }

  /** Reads the stream's schema now (a writer starting); one read per stream at a time. */
  refresh(stream: string): Promise<ArchiveFieldColumn[]> {
    if (this.max <= 0) return Promise.resolve([]);
    let running = this.reading.get(stream);
    if (!running) {
      running = this.read(stream).finally(() => this.reading.delete(stream));
      this.reading.set(stream, running);
    }
    return running;
  }

  private async read(stream: string): Promise<ArchiveFieldColumn[]> {
    const previous = this.choices.get(stream);
    try {
      const schema = await this.source.latestFields(stream);
      const fields = schema ? archiveFieldColumns(selectFieldColumns(schema, this.max, { skipLongText: true }).map((c) => c.path)) : [];
      if (JSON.stringify(fields) !== JSON.stringify(previous?.fields ?? [])) {
        this.logger.log({ msg: 'field columns chosen', stream, columns: fields.map((f) => f.column) });
      }
      this.choices.set(stream, { fields, readAt: Date.now() });
      return fields;
    } catch (error) {
      this.metrics.fieldSchemaFailures.inc({ stream });
      this.logger.warn({
        msg: 'reading the catalog schema failed; writing with the previous field columns',
        stream,
        columns: previous?.fields.length ?? 0,
        error: error instanceof Error ? error.message : String(error),
      });
      return previous?.fields ?? [];
    }
  }
}
