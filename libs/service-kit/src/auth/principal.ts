import type { ApiRole } from '@flux-capacitor/config';

/**
 * Who called: a fingerprint or subject that names the caller in audit trails without revealing its credential,
 * its roles, and the streams it may touch (undefined = every stream).
 */
export interface Principal {
  id: string;
  roles: ReadonlySet<ApiRole>;
  streams?: ReadonlySet<string>;
}
