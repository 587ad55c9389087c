/**
 * Whether a DuckDB error reading a local Parquet file means the file itself is not valid Parquet (truncated,
 * corrupt footer, metadata or pages): only then may the catalog mark the object corrupt. Everything else
 * (`Out of Memory Error`, `IO Error` from a full disk while spilling, `INTERRUPT Error`, ...) is a transient failure
 * of this process, and the message is retried.
 */
const FORMAT_PROBLEMS = [
  /no magic bytes found/i,
  /too small to be a parquet file/i,
  /TProtocolException/,
  // the file is local and complete: metadata pointing past its end is the file's fault
  /could not read enough bytes from file/i,
  /\bthrift\b/i,
  /\bfooter\b/i,
  /\bcorrupt/i,
  /\b(invalid|bad|malformed|unexpected|unsupported) (page|metadata|file metadata|column chunk|dictionary|data page|encoding|compression|row group|schema|header|offset|data)/i,
  /\bpage (header|size|type)\b/i,
  /\b(snappy|zstd|gzip|lz4|brotli) (decompression|decompress)|decompression fail/i,
];

export function isParquetFormatError(message: string): boolean {
  const first = message.split('\n')[0];
  // DuckDB's own errors read `<Kind> Error: ...`; anything else did not come from reading the file.
  if (!/^[A-Z][A-Za-z ]* Error: /.test(first)) return false;
  if (/^(Out of Memory|INTERRUPT|Interrupt) Error: /i.test(first)) return false;
  return FORMAT_PROBLEMS.some((p) => p.test(first));
}
