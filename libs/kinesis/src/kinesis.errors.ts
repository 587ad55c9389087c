/** The stream does not exist (or was deleted): retrying cannot help. */
export class StreamNotFoundError extends Error {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(
    readonly stream: string,
    options?: { cause?: unknown },
  ) {
    super(`Kinesis stream "${stream}" does not exist`, options);
    this.name = 'StreamNotFoundError';
  }
}
