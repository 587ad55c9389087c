import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The field columns an archive object holds (issue 13): the JSON array of `{path, column}` its `flux.fields`
 * metadata lists, so the gateway knows, per object, whether to read a column or compute it from the record. NULL for
 * objects written without field columns (before this, or with FLUX_ARCHIVER_FIELD_COLUMNS=0). The archiver's write
 * intent records them too, so an object rewritten by recovery gets the columns it was first written and announced
 * with (the catalog keeps an object's first announcement).
 */
export class FieldColumns1796500000000 implements MigrationInterface {
  name = 'FieldColumns1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE catalog_object ADD COLUMN field_columns jsonb`);
    await q.query(`ALTER TABLE archiver_intent ADD COLUMN field_columns jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archiver_intent DROP COLUMN field_columns`);
    await q.query(`ALTER TABLE catalog_object DROP COLUMN field_columns`);
  }
}
