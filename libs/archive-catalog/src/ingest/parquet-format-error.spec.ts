import { isParquetFormatError } from './parquet-format-error';

describe('isParquetFormatError', () => {
  it.each([
    `Invalid Input Error: No magic bytes found at end of file '/tmp/x/object.parquet'`,
    `Invalid Input Error: File '/tmp/x/object.parquet' too small to be a Parquet file`,
    `IO Error: Failed to read Parquet file "/tmp/x/object.parquet": TProtocolException: Invalid data`,
    `Invalid Input Error: Invalid footer length in file '/tmp/x/object.parquet'`,
    `IO Error: Corrupt parquet file: page header too large`,
    `Invalid Input Error: Snappy decompression failure`,
    `IO Error: Could not read enough bytes from file "/tmp/x/object.parquet": attempted to read 1 bytes from location 1522`,
  ])('is a format error: %s', (message) => {
    expect(isParquetFormatError(message)).toBe(true);
  });

  it.each([
    'Out of Memory Error: could not allocate block of size 256.0 KiB (908.0 KiB/976.5 KiB used)',
    'IO Error: Could not write file "/tmp/duckdb_temp_storage-0.tmp": No space left on device',
    'INTERRUPT Error: Interrupted!',
    `IO Error: No files found that match the pattern "/tmp/x/object.parquet"`,
    'connect ECONNREFUSED 127.0.0.1:4569',
    // a corrupt-sounding word after the first line is not the reason
    'Out of Memory Error: failed to allocate\nwhile reading the footer',
  ])('is a transient failure, not the object: %s', (message) => {
    expect(isParquetFormatError(message)).toBe(false);
  });
});
