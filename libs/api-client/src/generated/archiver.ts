/**
 * The archiver HTTP API as TypeScript types, generated from its OpenAPI document by `npm run docs:openapi`.
 * Do not edit: change the controller's zod response schemas and regenerate (a unit test fails when this is stale).
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness, as GET /health/ready (kept for existing clients); no authentication */
        get: operations["HealthController_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: 200 while the process serves requests, whatever its dependencies; no authentication */
        get: operations["HealthController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: every dependency check (Postgres, SQS, archive, Kinesis, the service's own); no authentication */
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (text exposition format); no authentication */
        get: operations["MetricsController_metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Archived streams: retention, shard count, the worst lag and oldest unarchived record over their shards, and whether records are at risk */
        get: operations["ArchiveStatusController_listStreams"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams/{stream}/shards": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's shards: lease holder and expiry, checkpoint, lag, oldest unarchived record, at risk */
        get: operations["ArchiveStatusController_listShards"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    HealthController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every check is up (some may be degraded: working but at risk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        degraded: string[];
                        details: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
            /** @description a check is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        degraded: string[];
                        details: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
        };
    };
    HealthController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the process is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every check is up (some may be degraded: working but at risk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        degraded: string[];
                        details: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
            /** @description a check is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        degraded: string[];
                        details: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info?: {
                            [key: string]: {
                                degraded?: boolean;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
        };
    };
    MetricsController_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    ArchiveStatusController_listStreams: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the streams the token may read */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        streams: {
                            /** @description the oldest unarchived record is older than half the retention period: Kinesis drops it at the end of it */
                            atRisk: boolean;
                            /** @description the largest lag behind the stream tip over its shards */
                            maxMillisBehindLatest: number | null;
                            /** @description the age now of the oldest record not archived yet, over its shards (it keeps growing while no archiver reads a shard) */
                            oldestUnarchivedAgeMs: number | null;
                            /** @description the stream's retention period; null before an archiver reported */
                            retentionHours: number | null;
                            /** @description shards being archived (not closed and finished) */
                            shardCount: number;
                            stream: string;
                        }[];
                    };
                };
            };
            /** @description UNAUTHENTICATED: no bearer token, or an unknown one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description FORBIDDEN: the token lacks the query role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    ArchiveStatusController_listShards: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                stream: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        retentionHours: number | null;
                        shards: {
                            /** @description the oldest unarchived record is older than half the retention period: Kinesis drops it at the end of it */
                            atRisk: boolean;
                            /** @description the last sequence number durable in the archive (a decimal string) */
                            checkpointSequence: string | null;
                            /**
                             * Format: date-time
                             * @description a reshard closed the shard and it is wholly archived
                             */
                            finishedAt: string | null;
                            /** Format: date-time */
                            leaseExpiresAt: string | null;
                            /** @description the holder's last report of how far behind the stream tip it reads */
                            millisBehindLatest: number | null;
                            /** @description the age now of the oldest record not archived yet (read or not): computed from when the holder last saw it, so it keeps growing when no archiver runs */
                            oldestUnarchivedAgeMs: number | null;
                            /** @description the archiver instance holding the lease; null when none holds a live one */
                            owner: string | null;
                            shardId: string;
                            /** @description no live lease, or no report for two heartbeats: nobody may be archiving the shard (false once finished) */
                            stale: boolean;
                            /**
                             * Format: date-time
                             * @description the holder's last report (sent with its lease heartbeat)
                             */
                            statusUpdatedAt: string | null;
                        }[];
                        stream: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: a bad stream name or query parameter; `detail` says which */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description UNAUTHENTICATED: no bearer token, or an unknown one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description FORBIDDEN: the token lacks the role, or STREAM_FORBIDDEN: it may not read this stream */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description STREAM_NOT_ARCHIVED: no archiver knows this stream */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @description stable machine code, e.g. STREAM_NOT_FOUND */
                        code: string;
                        detail: string;
                        details?: {
                            [key: string]: unknown;
                        };
                        instance: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
}
