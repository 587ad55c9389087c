/** The raw bytes of a record (`data`, base64 in JSON results) in the encodings the drawer shows. */
export type ByteEncoding = 'utf8' | 'hex' | 'base64';

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function formatBytes(base64: string, encoding: ByteEncoding): string {
  if (encoding === 'base64') return base64;
  const bytes = decodeBase64(base64);
  if (encoding === 'hex') {
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 16) {
      const chunk = [...bytes.subarray(i, i + 16)];
      lines.push(`${i.toString(16).padStart(8, '0')}  ${chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    }
    return lines.join('\n');
  }
  // not UTF-8: show replacement characters rather than fail; hex shows the exact bytes
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Human size: 1.2 KB, 3.4 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
