export { ArchiveIntent } from './archive-intent.entity';
export { ShardLease } from './shard-lease.entity';
