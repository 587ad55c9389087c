import { fileURLToPath } from 'node:url';

/** Where the archive lives: an S3 bucket and key prefix, or a local directory. */
export type ArchiveLocation =
  | { kind: 's3'; uri: string; bucket: string; prefix: string }
  | { kind: 'file'; uri: string; directory: string };

/**
 * Parses `s3://bucket/prefix` or `file:///absolute/path`. Returns a reason string when the URI is unusable,
 * so configuration errors can name the key and say what is wrong.
 */
export function parseArchiveUri(uri: string): ArchiveLocation | string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be s3://bucket/prefix or file:///absolute/path';
  }
  if (url.protocol === 's3:') {
    const bucket = url.hostname;
    if (bucket.length < 3 || bucket.length > 63 || !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
      return `"${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`;
    }
    const prefix = url.pathname.replace(/^\/+|\/+$/g, '');
    return { kind: 's3', uri: `s3://${bucket}${prefix ? `/${prefix}` : ''}`, bucket, prefix };
  }
  if (url.protocol === 'file:') {
    if (url.hostname && url.hostname !== 'localhost') return 'file:// URIs must be local (file:///absolute/path)';
    const directory = fileURLToPath(url).replace(/\/+$/, '') || '/';
    return { kind: 'file', uri: `file://${directory}`, directory };
  }
  return `unsupported scheme "${url.protocol}" (use s3:// or file://)`;
}
