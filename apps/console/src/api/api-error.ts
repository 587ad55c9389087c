import { ApiError } from '@flux-capacitor/api-client';

export { ApiError } from '@flux-capacitor/api-client';

/** The service's own words for a failed call (its problem `detail`), or the message of anything else thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** No answer at all: the service is down, its URL is wrong, or it does not allow this origin (CORS). */
export const isUnreachable = (err: unknown) => err instanceof ApiError && err.code === 'NETWORK_ERROR';
