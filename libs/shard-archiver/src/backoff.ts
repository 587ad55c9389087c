import { retry as retryKinesis } from '@flux-capacitor/kinesis';
import { isPermanent } from './archiver.errors';

/** `retry` from libs/kinesis, with the archiver's permanent errors (lost lease, missing stream, failed recovery). */
export const retry: typeof retryKinesis = (what, fn, options = {}) => retryKinesis(what, fn, { isPermanent, ...options });
