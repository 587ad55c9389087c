/**
 * The replay-coordinator HTTP API as TypeScript types, generated from its OpenAPI document by `npm run docs:openapi`.
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
    "/v1/replays": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Replays, newest first, with paging (`nextCursor`). */
        get: operations["ReplayController_list"];
        put?: never;
        /** Start a replay (or a dry run). The whole spec is validated first: an invalid one is answered 400 and nothing is written. */
        post: operations["ReplayController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replays/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A replay: state, plan, progress (records selected / put / failed, rate, ETA) and error. */
        get: operations["ReplayController_get"];
        put?: never;
        post?: never;
        /** Cancel a replay that has not ended. Records already written stay written. */
        delete: operations["ReplayController_cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replays/{id}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The replay's audit trail: who created, paused, resumed or cancelled it and when, with the full spec and the counts. */
        get: operations["ReplayController_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replays/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a planning or running replay; it stops after the records in flight and keeps its checkpoint. 409 in other states. */
        post: operations["ReplayController_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replays/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused replay from its checkpoint. 409 in other states. */
        post: operations["ReplayController_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/replays/{id}/watermarks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per source shard, the last position the replay includes, and the source shard lineage: what the consumer SDK needs. */
        get: operations["ReplayController_watermarks"];
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
    schemas: {
        CreateReplayDto: {
            /** @description Key/value pairs carried with every replayed record. */
            annotations?: {
                [key: string]: string;
            };
            /** @description Key compaction: true (by partition_key) or { key, tombstone, deletes }: only the latest record per key is replayed. */
            compact?: boolean | {
                /** @enum {string} */
                deletes?: "replay" | "drop";
                key?: string;
                tombstone?: string;
            };
            /** @description Plan only: counts, keys, per-shard histogram, sample and ETA, without writing. */
            dryRun?: boolean;
            /**
             * @description envelope (default) wraps each record with its provenance and annotations; raw writes the original bytes alone.
             * @enum {string}
             */
            format?: "envelope" | "raw";
            /** @description Lower bound on arrival_time (ISO-8601, inclusive). */
            from?: string;
            /** @description Per source shard, the first sequence number to include. */
            fromSequence?: {
                [key: string]: string;
            };
            /** @description { mode: 'max', reserve? } (default), { mode: 'rate', recordsPerSecond } or { mode: 'original', factor }. */
            pace?: {
                [key: string]: unknown;
            };
            /**
             * @description Stream to replay from (its archive and live tail).
             * @example orders
             */
            source: string;
            /** @description Stream to write into; defaults to the source. May be restricted by FLUX_REPLAY_ALLOWED_TARGETS. */
            target?: string;
            /** @description Upper bound on arrival_time (ISO-8601, inclusive). Without it the replay covers everything up to the moment it starts. */
            until?: string;
            /** @description Per source shard, the last sequence number to include. */
            untilSequence?: {
                [key: string]: string;
            };
            /** @description SQL condition over the stream table's columns, e.g. (payload->>'region') = 'eu'. */
            where?: string;
        };
    };
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
    ReplayController_list: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description 1-200, default 20 */
                limit?: number;
                state?: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the replays over streams the token may use */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            createdAt: string;
                            createdBy: string;
                            dryRun: boolean;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            failures: {
                                errorCode: string;
                                message: string;
                                ordinal: number;
                                partitionKey: string;
                            }[];
                            finishedAt: string | null;
                            /** Format: uuid */
                            id: string;
                            plan: {
                                bytes: number;
                                deletes: number;
                                distinctKeys: number;
                                estimatedSeconds: number;
                                firstArrivalTime: string | null;
                                lastArrivalTime: string | null;
                                liveRecords: number;
                                objects: number;
                                /** @description selected records per source shard */
                                perShard: {
                                    [key: string]: number;
                                };
                                planningMs: number;
                                records: number;
                                sample: {
                                    arrivalTime: string;
                                    key: string;
                                    /** @enum {string} */
                                    op: "upsert" | "delete";
                                    partitionKey: string;
                                    /** @description the data as JSON, or { base64 } when it is not JSON */
                                    payload: unknown;
                                    /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                    sequenceNumber: string;
                                    shardId: string;
                                }[];
                                watermarks: {
                                    [key: string]: string;
                                };
                            } | null;
                            progress: {
                                bytesPut: number;
                                bytesSelected: number;
                                etaSeconds: number | null;
                                failed: number;
                                put: number;
                                ratePerSecond: number;
                                selected: number;
                            };
                            source: string;
                            spec: {
                                annotations: {
                                    [key: string]: string;
                                };
                                compact: {
                                    /** @enum {string} */
                                    deletes: "replay" | "drop";
                                    key: string;
                                    tombstone: string;
                                } | null;
                                dryRun: boolean;
                                /** @enum {string} */
                                format: "envelope" | "raw";
                                from?: string;
                                fromSequence?: {
                                    [key: string]: string;
                                };
                                pace: {
                                    /** @enum {string} */
                                    mode: "max";
                                    reserve?: number;
                                } | {
                                    /** @enum {string} */
                                    mode: "rate";
                                    recordsPerSecond: number;
                                } | {
                                    factor: number;
                                    /** @enum {string} */
                                    mode: "original";
                                };
                                source: string;
                                target: string;
                                tombstone: string;
                                until?: string;
                                untilSequence?: {
                                    [key: string]: string;
                                };
                                where?: string;
                            };
                            startedAt: string | null;
                            /** @enum {string} */
                            state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                            target: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description INVALID_REQUEST: a bad limit, cursor or state */
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
            /** @description FORBIDDEN: the token lacks the role */
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
    ReplayController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateReplayDto"];
            };
        };
        responses: {
            /** @description created (a dry run ends in `planned`); Location names it */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        createdBy: string;
                        dryRun: boolean;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        failures: {
                            errorCode: string;
                            message: string;
                            ordinal: number;
                            partitionKey: string;
                        }[];
                        finishedAt: string | null;
                        /** Format: uuid */
                        id: string;
                        plan: {
                            bytes: number;
                            deletes: number;
                            distinctKeys: number;
                            estimatedSeconds: number;
                            firstArrivalTime: string | null;
                            lastArrivalTime: string | null;
                            liveRecords: number;
                            objects: number;
                            /** @description selected records per source shard */
                            perShard: {
                                [key: string]: number;
                            };
                            planningMs: number;
                            records: number;
                            sample: {
                                arrivalTime: string;
                                key: string;
                                /** @enum {string} */
                                op: "upsert" | "delete";
                                partitionKey: string;
                                /** @description the data as JSON, or { base64 } when it is not JSON */
                                payload: unknown;
                                /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                sequenceNumber: string;
                                shardId: string;
                            }[];
                            watermarks: {
                                [key: string]: string;
                            };
                        } | null;
                        progress: {
                            bytesPut: number;
                            bytesSelected: number;
                            etaSeconds: number | null;
                            failed: number;
                            put: number;
                            ratePerSecond: number;
                            selected: number;
                        };
                        source: string;
                        spec: {
                            annotations: {
                                [key: string]: string;
                            };
                            compact: {
                                /** @enum {string} */
                                deletes: "replay" | "drop";
                                key: string;
                                tombstone: string;
                            } | null;
                            dryRun: boolean;
                            /** @enum {string} */
                            format: "envelope" | "raw";
                            from?: string;
                            fromSequence?: {
                                [key: string]: string;
                            };
                            pace: {
                                /** @enum {string} */
                                mode: "max";
                                reserve?: number;
                            } | {
                                /** @enum {string} */
                                mode: "rate";
                                recordsPerSecond: number;
                            } | {
                                factor: number;
                                /** @enum {string} */
                                mode: "original";
                            };
                            source: string;
                            target: string;
                            tombstone: string;
                            until?: string;
                            untilSequence?: {
                                [key: string]: string;
                            };
                            where?: string;
                        };
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        target: string;
                    };
                };
            };
            /** @description INVALID_REPLAY: the spec is invalid; `details.errors` lists every reason */
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
            /** @description FORBIDDEN / STREAM_FORBIDDEN: the token lacks the replay role or the source or target stream */
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
    ReplayController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        createdAt: string;
                        createdBy: string;
                        dryRun: boolean;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        failures: {
                            errorCode: string;
                            message: string;
                            ordinal: number;
                            partitionKey: string;
                        }[];
                        finishedAt: string | null;
                        /** Format: uuid */
                        id: string;
                        plan: {
                            bytes: number;
                            deletes: number;
                            distinctKeys: number;
                            estimatedSeconds: number;
                            firstArrivalTime: string | null;
                            lastArrivalTime: string | null;
                            liveRecords: number;
                            objects: number;
                            /** @description selected records per source shard */
                            perShard: {
                                [key: string]: number;
                            };
                            planningMs: number;
                            records: number;
                            sample: {
                                arrivalTime: string;
                                key: string;
                                /** @enum {string} */
                                op: "upsert" | "delete";
                                partitionKey: string;
                                /** @description the data as JSON, or { base64 } when it is not JSON */
                                payload: unknown;
                                /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                sequenceNumber: string;
                                shardId: string;
                            }[];
                            watermarks: {
                                [key: string]: string;
                            };
                        } | null;
                        progress: {
                            bytesPut: number;
                            bytesSelected: number;
                            etaSeconds: number | null;
                            failed: number;
                            put: number;
                            ratePerSecond: number;
                            selected: number;
                        };
                        source: string;
                        spec: {
                            annotations: {
                                [key: string]: string;
                            };
                            compact: {
                                /** @enum {string} */
                                deletes: "replay" | "drop";
                                key: string;
                                tombstone: string;
                            } | null;
                            dryRun: boolean;
                            /** @enum {string} */
                            format: "envelope" | "raw";
                            from?: string;
                            fromSequence?: {
                                [key: string]: string;
                            };
                            pace: {
                                /** @enum {string} */
                                mode: "max";
                                reserve?: number;
                            } | {
                                /** @enum {string} */
                                mode: "rate";
                                recordsPerSecond: number;
                            } | {
                                factor: number;
                                /** @enum {string} */
                                mode: "original";
                            };
                            source: string;
                            target: string;
                            tombstone: string;
                            until?: string;
                            untilSequence?: {
                                [key: string]: string;
                            };
                            where?: string;
                        };
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        target: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
    ReplayController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        createdAt: string;
                        createdBy: string;
                        dryRun: boolean;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        failures: {
                            errorCode: string;
                            message: string;
                            ordinal: number;
                            partitionKey: string;
                        }[];
                        finishedAt: string | null;
                        /** Format: uuid */
                        id: string;
                        plan: {
                            bytes: number;
                            deletes: number;
                            distinctKeys: number;
                            estimatedSeconds: number;
                            firstArrivalTime: string | null;
                            lastArrivalTime: string | null;
                            liveRecords: number;
                            objects: number;
                            /** @description selected records per source shard */
                            perShard: {
                                [key: string]: number;
                            };
                            planningMs: number;
                            records: number;
                            sample: {
                                arrivalTime: string;
                                key: string;
                                /** @enum {string} */
                                op: "upsert" | "delete";
                                partitionKey: string;
                                /** @description the data as JSON, or { base64 } when it is not JSON */
                                payload: unknown;
                                /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                sequenceNumber: string;
                                shardId: string;
                            }[];
                            watermarks: {
                                [key: string]: string;
                            };
                        } | null;
                        progress: {
                            bytesPut: number;
                            bytesSelected: number;
                            etaSeconds: number | null;
                            failed: number;
                            put: number;
                            ratePerSecond: number;
                            selected: number;
                        };
                        source: string;
                        spec: {
                            annotations: {
                                [key: string]: string;
                            };
                            compact: {
                                /** @enum {string} */
                                deletes: "replay" | "drop";
                                key: string;
                                tombstone: string;
                            } | null;
                            dryRun: boolean;
                            /** @enum {string} */
                            format: "envelope" | "raw";
                            from?: string;
                            fromSequence?: {
                                [key: string]: string;
                            };
                            pace: {
                                /** @enum {string} */
                                mode: "max";
                                reserve?: number;
                            } | {
                                /** @enum {string} */
                                mode: "rate";
                                recordsPerSecond: number;
                            } | {
                                factor: number;
                                /** @enum {string} */
                                mode: "original";
                            };
                            source: string;
                            target: string;
                            tombstone: string;
                            until?: string;
                            untilSequence?: {
                                [key: string]: string;
                            };
                            where?: string;
                        };
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        target: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
            /** @description REPLAY_STATE_CONFLICT: not allowed in the replay's current state */
            409: {
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
    ReplayController_audit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        items: {
                            /** @description created, paused, resumed, cancelled, completed, failed, ... */
                            action: string;
                            /** @description the actor's token fingerprint */
                            actor: string;
                            at: string;
                            detail: {
                                [key: string]: unknown;
                            };
                        }[];
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
    ReplayController_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        createdAt: string;
                        createdBy: string;
                        dryRun: boolean;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        failures: {
                            errorCode: string;
                            message: string;
                            ordinal: number;
                            partitionKey: string;
                        }[];
                        finishedAt: string | null;
                        /** Format: uuid */
                        id: string;
                        plan: {
                            bytes: number;
                            deletes: number;
                            distinctKeys: number;
                            estimatedSeconds: number;
                            firstArrivalTime: string | null;
                            lastArrivalTime: string | null;
                            liveRecords: number;
                            objects: number;
                            /** @description selected records per source shard */
                            perShard: {
                                [key: string]: number;
                            };
                            planningMs: number;
                            records: number;
                            sample: {
                                arrivalTime: string;
                                key: string;
                                /** @enum {string} */
                                op: "upsert" | "delete";
                                partitionKey: string;
                                /** @description the data as JSON, or { base64 } when it is not JSON */
                                payload: unknown;
                                /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                sequenceNumber: string;
                                shardId: string;
                            }[];
                            watermarks: {
                                [key: string]: string;
                            };
                        } | null;
                        progress: {
                            bytesPut: number;
                            bytesSelected: number;
                            etaSeconds: number | null;
                            failed: number;
                            put: number;
                            ratePerSecond: number;
                            selected: number;
                        };
                        source: string;
                        spec: {
                            annotations: {
                                [key: string]: string;
                            };
                            compact: {
                                /** @enum {string} */
                                deletes: "replay" | "drop";
                                key: string;
                                tombstone: string;
                            } | null;
                            dryRun: boolean;
                            /** @enum {string} */
                            format: "envelope" | "raw";
                            from?: string;
                            fromSequence?: {
                                [key: string]: string;
                            };
                            pace: {
                                /** @enum {string} */
                                mode: "max";
                                reserve?: number;
                            } | {
                                /** @enum {string} */
                                mode: "rate";
                                recordsPerSecond: number;
                            } | {
                                factor: number;
                                /** @enum {string} */
                                mode: "original";
                            };
                            source: string;
                            target: string;
                            tombstone: string;
                            until?: string;
                            untilSequence?: {
                                [key: string]: string;
                            };
                            where?: string;
                        };
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        target: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
            /** @description REPLAY_STATE_CONFLICT: not allowed in the replay's current state */
            409: {
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
    ReplayController_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        createdAt: string;
                        createdBy: string;
                        dryRun: boolean;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        failures: {
                            errorCode: string;
                            message: string;
                            ordinal: number;
                            partitionKey: string;
                        }[];
                        finishedAt: string | null;
                        /** Format: uuid */
                        id: string;
                        plan: {
                            bytes: number;
                            deletes: number;
                            distinctKeys: number;
                            estimatedSeconds: number;
                            firstArrivalTime: string | null;
                            lastArrivalTime: string | null;
                            liveRecords: number;
                            objects: number;
                            /** @description selected records per source shard */
                            perShard: {
                                [key: string]: number;
                            };
                            planningMs: number;
                            records: number;
                            sample: {
                                arrivalTime: string;
                                key: string;
                                /** @enum {string} */
                                op: "upsert" | "delete";
                                partitionKey: string;
                                /** @description the data as JSON, or { base64 } when it is not JSON */
                                payload: unknown;
                                /** @description a Kinesis sequence number (decimal string; never a JS number) */
                                sequenceNumber: string;
                                shardId: string;
                            }[];
                            watermarks: {
                                [key: string]: string;
                            };
                        } | null;
                        progress: {
                            bytesPut: number;
                            bytesSelected: number;
                            etaSeconds: number | null;
                            failed: number;
                            put: number;
                            ratePerSecond: number;
                            selected: number;
                        };
                        source: string;
                        spec: {
                            annotations: {
                                [key: string]: string;
                            };
                            compact: {
                                /** @enum {string} */
                                deletes: "replay" | "drop";
                                key: string;
                                tombstone: string;
                            } | null;
                            dryRun: boolean;
                            /** @enum {string} */
                            format: "envelope" | "raw";
                            from?: string;
                            fromSequence?: {
                                [key: string]: string;
                            };
                            pace: {
                                /** @enum {string} */
                                mode: "max";
                                reserve?: number;
                            } | {
                                /** @enum {string} */
                                mode: "rate";
                                recordsPerSecond: number;
                            } | {
                                factor: number;
                                /** @enum {string} */
                                mode: "original";
                            };
                            source: string;
                            target: string;
                            tombstone: string;
                            until?: string;
                            untilSequence?: {
                                [key: string]: string;
                            };
                            where?: string;
                        };
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        target: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
            /** @description REPLAY_STATE_CONFLICT: not allowed in the replay's current state */
            409: {
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
    ReplayController_watermarks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
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
                        /** Format: uuid */
                        replayId: string;
                        shards: {
                            adjacentParentShardId: string | null;
                            parentShardId: string | null;
                            shardId: string;
                        }[];
                        sourceStream: string;
                        /** @enum {string} */
                        state: "planning" | "planned" | "running" | "paused" | "completed" | "failed" | "cancelled";
                        targetStream: string;
                        watermarks: {
                            /** @description a Kinesis sequence number (decimal string; never a JS number) */
                            sequenceNumber: string;
                            shardId: string;
                        }[];
                    };
                };
            };
            /** @description INVALID_REQUEST: the id is not a UUID */
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
            /** @description FORBIDDEN: the token lacks the role */
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
            /** @description REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use */
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
