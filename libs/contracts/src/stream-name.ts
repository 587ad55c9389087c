import { z } from 'zod';

/** What Kinesis accepts as a stream name (CreateStream's StreamName pattern). */
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

/** A stream name in a request (path, query or body): anything else is refused before it reaches Kinesis or S3. */
export const streamNameSchema = z.string().regex(STREAM_NAME_PATTERN, { message: 'must be a Kinesis stream name (letters, digits, _ . -, at most 128)' });
