export { QueryJob, type QueryJobStateName } from './query-job.entity';
