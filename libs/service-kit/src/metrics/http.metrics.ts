import type { NextFunction, Request, Response } from 'express';
import { Histogram, register } from 'prom-client';

const NAME = 'flux_http_request_duration_seconds';

/**
 * `flux_http_request_duration_seconds{method,route,status_class}`: one observation per HTTP request, its `_count`
 * is the request counter. `route` is the matched route template (`/v1/streams/:stream/records`), never the raw
 * path, so stream names and ids do not multiply the series; requests no route matched count as `unmatched`.
 */
export function httpRequestDuration(): Histogram<'method' | 'route' | 'status_class'> {
  return (
    (register.getSingleMetric(NAME) as Histogram<'method' | 'route' | 'status_class'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'HTTP requests served, by method, route template and status class (2xx, 4xx, 5xx), with their duration',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    })
  );
}

/** Express middleware: observes each request when its response finishes (or the client goes away). */
export function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const histogram = httpRequestDuration();
  const started = process.hrtime.bigint();
  let done = false;
  const observe = () => {
    if (done) return;
    done = true;
    const routePath = (req.route as { path?: unknown } | undefined)?.path;
    // Nest mounts middleware as a catch-all route (`{/*splat}`): a request that only ever met that one matched nothing
    const route = typeof routePath === 'string' && !routePath.includes('*') ? `${req.baseUrl ?? ''}${routePath}` : 'unmatched';
    const status_class = res.headersSent || res.writableFinished ? `${Math.floor(res.statusCode / 100)}xx` : 'aborted';
    histogram.observe({ method: req.method, route, status_class }, Number(process.hrtime.bigint() - started) / 1e9);
  };
  res.once('finish', observe);
  res.once('close', observe);
  next();
}
