import { CreateInboxMessage1764086400000 } from './1764086400000-CreateInboxMessage';
import { CreateCatalog1764094444000 } from './1764094444000-CreateCatalog';
import { CreateArchiverLeases1764097200000 } from './1764097200000-CreateArchiverLeases';
import { CreateReplays1764990000000 } from './1764990000000-CreateReplays';
import { ArchiverIntentObjects1765100000000 } from './1765100000000-ArchiverIntentObjects';
import { CatalogObjectShards1796119200000 } from './1796119200000-CatalogObjectShards';
import { CatalogObjectCorrupt1796131000000 } from './1796131000000-CatalogObjectCorrupt';
import { CreateQueryJobs1796200000000 } from './1796200000000-CreateQueryJobs';
import { ArchiverLeaseHandoff1796300000000 } from './1796300000000-ArchiverLeaseHandoff';
import { CatalogObjectCorruptIndex1796340000000 } from './1796340000000-CatalogObjectCorruptIndex';
import { ArchiverShardStatus1796400000000 } from './1796400000000-ArchiverShardStatus';
import { FieldColumns1796500000000 } from './1796500000000-FieldColumns';
import { CatalogCompaction1796600000000 } from './1796600000000-CatalogCompaction';

/** Every migration, oldest first. Listed explicitly so they load the same under node, vitest and the CLI. */
export const migrations = [
  CreateInboxMessage1764086400000,
  CreateCatalog1764094444000,
  CreateArchiverLeases1764097200000,
  CreateReplays1764990000000,
  ArchiverIntentObjects1765100000000,
  CatalogObjectShards1796119200000,
  CatalogObjectCorrupt1796131000000,
  CreateQueryJobs1796200000000,
  ArchiverLeaseHandoff1796300000000,
  CatalogObjectCorruptIndex1796340000000,
  ArchiverShardStatus1796400000000,
  FieldColumns1796500000000,
  CatalogCompaction1796600000000,
];
