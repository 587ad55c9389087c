/**
 * The catalog HTTP API as TypeScript types, generated from its OpenAPI document by `npm run docs:openapi`.
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
        /** Catalogued streams with object, record and partition totals and the latest schema version */
        get: operations["CatalogController_listStreams"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams/{stream}/corrupt-objects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's archive objects that are not readable Parquet (truncated, corrupt footer), with the reason and when the catalog found it */
        get: operations["CatalogController_listCorruptObjects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams/{stream}/partitions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's dt/hour partitions overlapping [from, to], oldest first, with totals */
        get: operations["CatalogController_listPartitions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams/{stream}/schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's latest inferred schema, or version N with ?version=N (field paths, types, nullability, first/last seen), and its versions */
        get: operations["CatalogController_getSchema"];
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
    CatalogController_listStreams: {
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
                            bytes: number;
                            corruptObjectCount: number;
                            /** Format: date-time */
                            firstArrivalTime: string | null;
                            /**
                             * @description null until schema inference saw a record
                             * @enum {string|null}
                             */
                            format: "json" | "binary" | null;
                            /** Format: date-time */
                            lastArrivalTime: string | null;
                            name: string;
                            objectCount: number;
                            partitionCount: number;
                            recordCount: number;
                            /** @description the latest schema version, null before inference */
                            schemaVersion: number | null;
                        }[];
                    };
                };
            };
            /** @description no or an unknown bearer token */
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
        };
    };
    CatalogController_listCorruptObjects: {
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
                        objects: {
                            /** Format: date-time */
                            detectedAt: string;
                            reason: string;
                            uri: string;
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
            /** @description STREAM_NOT_FOUND: the catalog has no such stream */
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
    CatalogController_listPartitions: {
        parameters: {
            query?: {
                /** @description ISO-8601 date-time; partitions ending after it */
                from?: string;
                /** @description ISO-8601 date-time; partitions starting at or before it */
                to?: string;
            };
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
                        partitions: {
                            bytes: number;
                            /** @description YYYY-MM-DD */
                            dt: string;
                            hour: number;
                            location: string;
                            objectCount: number;
                            recordCount: number;
                            /**
                             * Format: date-time
                             * @description the first instant of the partition hour (UTC)
                             */
                            startsAt: string;
                            stream: string;
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
            /** @description STREAM_NOT_FOUND: the catalog has no such stream */
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
    CatalogController_getSchema: {
        parameters: {
            query?: {
                /** @description a schema version (1, 2, ...); default the latest */
                version?: number;
            };
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
                        fields: {
                            firstSeen: string;
                            lastSeen: string;
                            nullable: boolean;
                            /** @description dotted path from the record root; array elements are [] (items[].sku) */
                            path: string;
                            /** @description lengths of the string values seen at the path; absent when it held none or the version predates the measure */
                            stringLengths?: {
                                /** @description string values measured (a weight: capped, so the mean follows recent values) */
                                count: number;
                                /** @description the longest seen */
                                maxBytes: number;
                                /** @description their mean UTF-8 length */
                                meanBytes: number;
                            };
                            types: string[];
                        }[];
                        /** Format: date-time */
                        firstSeen: string;
                        /** @enum {string} */
                        format: "json" | "binary";
                        /** Format: date-time */
                        lastSeen: string;
                        stream: string;
                        version: number;
                        /** @description every schema version, oldest first */
                        versions: {
                            /** Format: date-time */
                            firstSeen: string;
                            /** Format: date-time */
                            lastSeen: string;
                            version: number;
                        }[];
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
            /** @description STREAM_NOT_FOUND, SCHEMA_NOT_INFERRED (no schema yet), or SCHEMA_VERSION_NOT_FOUND (no such version) */
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
