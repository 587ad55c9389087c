/**
 * The caller recorded when an HTTP request carries no principal (no bearer auth configured, the CLI): the owner of
 * its queries in the gateway and the actor of its replays in the audit trail. One name, so both agree.
 */
export const ANONYMOUS_OWNER = 'anonymous';
