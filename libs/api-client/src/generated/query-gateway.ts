/**
 * The query-gateway HTTP API as TypeScript types, generated from its OpenAPI document by `npm run docs:openapi`.
 * Do not edit: change the controller's zod response schemas and regenerate (a unit test fails when this is stale).
 */

export interface paths {
    "/console-config.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public base URLs the web console uses for the other services (null: not configured). No authentication. */
        get: operations["ConsoleController_settings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
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
    "/v1/queries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's recent queries (its bearer token's), newest first: state, duration, rows, rows and bytes scanned, error. */
        get: operations["QueryController_list"];
        put?: never;
        /** Start an asynchronous query; returns its id and state. Invalid or hostile SQL is refused with 400, a full queue with 429 and Retry-After. Any gateway replica answers for it afterwards; 503 when the query state database cannot be reached. */
        post: operations["QueryController_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** State and progress (objects, rows and bytes scanned, live records read) of a query. */
        get: operations["QueryController_status"];
        put?: never;
        post?: never;
        /** Cancel a queued or running query (on whichever replica runs it), or release a finished one's results (it stays in the history). */
        delete: operations["QueryController_cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queries/{id}/results": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Results: JSON pages with a cursor, or the whole result as NDJSON, CSV or Parquet (?format= or Accept). */
        get: operations["QueryController_results"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/query": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a small query synchronously (row cap FLUX_QUERY_SYNC_MAX_ROWS); JSON, or ?format=ndjson|csv|parquet. */
        post: operations["QueryController_runSync"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/streams/{stream}/tail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest records still in Kinesis, across every shard, oldest first within a shard. Pass the answer's cursor to get what arrived since (empty records when nothing did); without one, start at `from`. */
        get: operations["TailController_read"];
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
        CreateQueryDto: {
            /**
             * @description Engine; defaults to FLUX_QUERY_ENGINE.
             * @enum {string}
             */
            engine?: "duckdb" | "drill";
            /**
             * @description One read-only SELECT/WITH statement; each stream is a table.
             * @example SELECT payload->>'type' AS type, count(*) FROM "orders" GROUP BY 1
             */
            sql: string;
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
    ConsoleController_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        archiverUrl: string | null;
                        catalogUrl: string | null;
                        queryUrl: string;
                        replayUrl: string | null;
                    };
                };
            };
        };
    };
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
    QueryController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page */
                cursor?: string;
                /** @description queries per page (1-100, default 20) */
                limit?: number;
            };
            header?: never;
            path?: never;
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
                            bytesScanned: number;
                            durationMs: number;
                            /** @enum {string} */
                            engine: "duckdb" | "drill";
                            error?: {
                                code: string;
                                details?: {
                                    [key: string]: unknown;
                                };
                                message: string;
                            };
                            finishedAt?: string;
                            /** Format: uuid */
                            id: string;
                            rowCount?: number;
                            rowsScanned: number;
                            sql: string;
                            startedAt?: string;
                            /** @enum {string} */
                            state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                            submittedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description INVALID_REQUEST: a bad limit or cursor */
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
    QueryController_start: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateQueryDto"];
            };
        };
        responses: {
            /** @description queued; poll `links.self` */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        columns?: {
                            name: string;
                            /** @description the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON */
                            type: string;
                        }[];
                        /** @enum {string} */
                        engine: "duckdb" | "drill";
                        error?: {
                            code: string;
                            details?: {
                                [key: string]: unknown;
                            };
                            message: string;
                        };
                        finishedAt?: string;
                        /** Format: uuid */
                        id: string;
                        links: {
                            results: string;
                            self: string;
                        };
                        progress: {
                            /** @description the catalogued size of the archive objects the query reads */
                            bytesScanned: number;
                            /** @description records read from Kinesis (not archived yet) */
                            liveRecords: number;
                            objectsScanned: number;
                            objectsTotal: number;
                            rowsScanned: number;
                        };
                        rowCount?: number;
                        sql: string;
                        startedAt?: string;
                        /** @enum {string} */
                        state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                        /** @description ISO-8601 */
                        submittedAt: string;
                        truncated?: boolean;
                        warnings: string[];
                    };
                };
            };
            /** @description INVALID_REQUEST, QUERY_SYNTAX, QUERY_INVALID, QUERY_REJECTED: the SQL or the body is not acceptable; `detail` says why */
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
            /** @description FORBIDDEN: the token lacks the query role, or STREAM_FORBIDDEN: the SQL reads a stream the token may not read */
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
            /** @description QUERY_QUEUE_FULL: the queue, or this token's share of it (FLUX_QUERY_MAX_QUEUED[_PER_TOKEN]), is full; the Retry-After header says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description QUERY_STATE_UNAVAILABLE: the query state database cannot be reached */
            503: {
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
    QueryController_status: {
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
                        columns?: {
                            name: string;
                            /** @description the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON */
                            type: string;
                        }[];
                        /** @enum {string} */
                        engine: "duckdb" | "drill";
                        error?: {
                            code: string;
                            details?: {
                                [key: string]: unknown;
                            };
                            message: string;
                        };
                        finishedAt?: string;
                        /** Format: uuid */
                        id: string;
                        progress: {
                            /** @description the catalogued size of the archive objects the query reads */
                            bytesScanned: number;
                            /** @description records read from Kinesis (not archived yet) */
                            liveRecords: number;
                            objectsScanned: number;
                            objectsTotal: number;
                            rowsScanned: number;
                        };
                        rowCount?: number;
                        sql: string;
                        startedAt?: string;
                        /** @enum {string} */
                        state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                        /** @description ISO-8601 */
                        submittedAt: string;
                        truncated?: boolean;
                        warnings: string[];
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
            /** @description QUERY_NOT_FOUND: no such query, or not the caller's; QUERY_RESULT_RELEASED */
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
    QueryController_cancel: {
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
                        columns?: {
                            name: string;
                            /** @description the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON */
                            type: string;
                        }[];
                        /** @enum {string} */
                        engine: "duckdb" | "drill";
                        error?: {
                            code: string;
                            details?: {
                                [key: string]: unknown;
                            };
                            message: string;
                        };
                        finishedAt?: string;
                        /** Format: uuid */
                        id: string;
                        progress: {
                            /** @description the catalogued size of the archive objects the query reads */
                            bytesScanned: number;
                            /** @description records read from Kinesis (not archived yet) */
                            liveRecords: number;
                            objectsScanned: number;
                            objectsTotal: number;
                            rowsScanned: number;
                        };
                        rowCount?: number;
                        sql: string;
                        startedAt?: string;
                        /** @enum {string} */
                        state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                        /** @description ISO-8601 */
                        submittedAt: string;
                        truncated?: boolean;
                        warnings: string[];
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
            /** @description QUERY_NOT_FOUND: no such query, or not the caller's; QUERY_RESULT_RELEASED */
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
    QueryController_results: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page */
                cursor?: string;
                format?: "json" | "ndjson" | "csv" | "parquet";
                /** @description rows per JSON page (1-10000, default 1000) */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a JSON page; with ?format= or Accept, the whole result as application/x-ndjson, text/csv or application/vnd.apache.parquet */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        columns: {
                            name: string;
                            /** @description the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON */
                            type: string;
                        }[];
                        nextCursor: string | null;
                        /** @description rows in the whole result */
                        rowCount: number;
                        rows: {
                            [key: string]: unknown;
                        }[];
                        /** @description the query produced more rows than FLUX_QUERY_MAX_ROWS; the rest were dropped */
                        truncated: boolean;
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
            /** @description QUERY_NOT_FOUND: no such query, or not the caller's; QUERY_RESULT_RELEASED */
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
            /** @description QUERY_NOT_READY: still queued or running; QUERY_FAILED, QUERY_CANCELLED: no results */
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
    QueryController_runSync: {
        parameters: {
            query?: {
                format?: "json" | "ndjson" | "csv" | "parquet";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateQueryDto"];
            };
        };
        responses: {
            /** @description the rows as JSON; with ?format= or Accept, as application/x-ndjson, text/csv or application/vnd.apache.parquet */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        columns: {
                            name: string;
                            /** @description the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON */
                            type: string;
                        }[];
                        rowCount: number;
                        rows: {
                            [key: string]: unknown;
                        }[];
                        stats: {
                            /** @enum {string} */
                            engine: "duckdb" | "drill";
                            finishedAt?: string;
                            progress: {
                                /** @description the catalogued size of the archive objects the query reads */
                                bytesScanned: number;
                                /** @description records read from Kinesis (not archived yet) */
                                liveRecords: number;
                                objectsScanned: number;
                                objectsTotal: number;
                                rowsScanned: number;
                            };
                            startedAt?: string;
                            warnings: string[];
                        };
                        truncated: boolean;
                    };
                };
            };
            /** @description INVALID_REQUEST, QUERY_SYNTAX, QUERY_INVALID, QUERY_REJECTED: the SQL or the body is not acceptable; `detail` says why */
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
            /** @description FORBIDDEN: the token lacks the query role, or STREAM_FORBIDDEN: the SQL reads a stream the token may not read */
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
            /** @description QUERY_QUEUE_FULL: the queue, or this token's share of it (FLUX_QUERY_MAX_QUEUED[_PER_TOKEN]), is full; the Retry-After header says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description QUERY_STATE_UNAVAILABLE: the query state database cannot be reached */
            503: {
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
    TailController_read: {
        parameters: {
            query?: {
                /** @description the cursor of the previous answer of this stream; wins over from */
                cursor?: string;
                /** @description latest (default: only records that arrive after this call), earliest (everything Kinesis retains) or an ISO-8601 date-time */
                from?: string;
                /** @description most user records (KPL aggregates de-aggregated) per answer, 1-1000 (default 100); an answer also stops at 4 MiB of record data */
                limit?: number;
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
                        /** @description pass it as ?cursor= to get what arrived since; valid for this stream only */
                        cursor: string;
                        records: {
                            /** @description ISO-8601 approximate arrival time */
                            arrivalTime: string;
                            /** @description the record data, base64 */
                            data: string;
                            partitionKey: string;
                            /** @description the data parsed as JSON, or null when it is not JSON */
                            payload: unknown;
                            /** @description a Kinesis sequence number (decimal string; never a JS number) */
                            sequenceNumber: string;
                            shardId: string;
                            /** @description the user record inside a KPL aggregate (0 for a plain record); user records of one aggregate share the sequence number */
                            subSequenceNumber: number;
                        }[];
                        stream: string;
                    };
                };
            };
            /** @description INVALID_REQUEST: a bad stream name, from or limit; INVALID_CURSOR: not a tail cursor of this stream, or Kinesis refuses a position it holds */
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
            /** @description STREAM_NOT_FOUND: Kinesis has no such stream */
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
            /** @description TAIL_THROTTLED: Kinesis throttles reads of the stream (Retry-After says when to try again) */
            429: {
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
            /** @description LIVE_TAIL_UNAVAILABLE: Kinesis cannot be read right now */
            503: {
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
