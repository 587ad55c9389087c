import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The catalog mirror's PGlite runs in a worker thread: PGlite executes a statement synchronously inside WebAssembly,
 * so a long one (a cross join with generate_series) would freeze the gateway's event loop, and its statement_timeout
 * never fires (the timer needs the loop that is blocked). The main thread keeps a wall-clock timer per statement and
 * terminates the worker when it runs out; the next statement starts a fresh one.
 * The worker is evaluated code (no separate file: the gateway is bundled, a worker file would not be found).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
/** table name -> the extra (field) column definitions it was created with */
let streams = new Map();
const q = (n) => '"' + n.replace(/"/g, '""') + '"';
const lit = (s) => "'" + s.replace(/'/g, "''") + "'";
const COLS = workerData.columns;
async function instance() {
  if (!db) {
    const { PGlite } = await import(workerData.pglite);
    const d = await PGlite.create();
    await d.exec('CREATE DATABASE flux').catch(() => undefined);
    // statements run as this role: PostgreSQL itself refuses it the file and server functions. pg_read_all_data
    // lets it read every table (PGlite's PUBLIC grants do not reach a second role, and GRANT on pg_catalog fails there)
    await d.exec('CREATE ROLE reader NOLOGIN');
    await d.exec('GRANT pg_read_all_data TO reader');
    db = d;
  }
  return db;
}
async function createTable(db, name, cols) {
  await db.exec('CREATE TABLE IF NOT EXISTS public.' + q(name) + ' (' + COLS + cols + ')');
  await db.exec('COMMENT ON TABLE public.' + q(name) + ' IS ' + lit('stream ' + name + ': archived and live records'));
}
async function sync(db, wanted) {
  // a table whose field columns changed (a new schema version) is created again
  for (const [name, cols] of streams) if (wanted.get(name) !== cols) await db.exec('DROP TABLE IF EXISTS public.' + q(name)).catch(() => undefined);
  for (const [name, cols] of wanted) {
    if (streams.get(name) === cols) continue;
    // One stream's DDL failing never breaks the mirror for the others: its table is created with the base columns
    // alone (or left out), and it is recorded as synced so the failure is not retried on every statement.
    try {
      await createTable(db, name, cols);
    } catch {
      await db.exec('DROP TABLE IF EXISTS public.' + q(name)).then(() => createTable(db, name, '')).catch(() => undefined);
    }
  }
  streams = wanted;
}
instance().then(() => parentPort.postMessage({ ready: true }), (err) => parentPort.postMessage({ ready: false, message: String(err && err.message) }));
parentPort.on('message', async (m) => {
  try {
    const d = await instance();
    await sync(d, new Map(m.streams.map((s) => [s.name, s.columns])));
    await d.exec('BEGIN');
    try {
      await d.exec('SET LOCAL ROLE reader');
      const raw = await d.execProtocolRaw(m.message, { syncToFs: false });
      if (raw.length > workerData.maxBytes) parentPort.postMessage({ id: m.id, error: { code: '54000', message: 'the catalog answer is larger than ' + workerData.maxBytes + ' bytes' } });
      else {
        // a copy of its own: PGlite's answer may be a view into memory it keeps
        const copy = raw.slice();
        parentPort.postMessage({ id: m.id, raw: copy }, [copy.buffer]);
      }
    } finally {
      await d.exec('ROLLBACK');
    }
  } catch (err) {
    // a PGlite that failed outside a statement is not trusted again: the next one starts fresh
    db = undefined;
    streams = new Map();
    parentPort.postMessage({ id: m.id, error: { code: 'XX000', message: 'catalog error: ' + (err && err.message) }, broken: true });
  }
});
`;

function pgliteEntry(): string {
  try {
    return (typeof require === 'function' ? require : createRequire(join(process.cwd(), 'index.js'))).resolve('@electric-sql/pglite');
  } catch {
    return '@electric-sql/pglite';
  }
}

export interface CatalogWorkerOptions {
  /** wall-clock limit of one catalog statement, after which the worker is terminated */
  timeoutMs: number;
  /** largest answer (bytes of protocol messages) one statement may return */
  maxBytes: number;
  /** V8 heap of the worker */
  maxHeapMb: number;
  columns: string;
}

export type WorkerAnswer = { raw: Uint8Array } | { error: { code: string; message: string }; broken?: boolean };

/** One PGlite in one worker thread; run() answers one statement at a time (the caller queues). */
export class CatalogWorker {
  private worker?: { w: Worker; ready: Promise<void> };
  private nextId = 0;
  private pending = new Map<number, (a: WorkerAnswer) => void>();

  constructor(private readonly options: CatalogWorkerOptions) {}

  private spawn(): { w: Worker; ready: Promise<void> } {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pglite: pgliteEntry(), columns: this.options.columns, maxBytes: this.options.maxBytes },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
    });
    w.unref();
    let readied: (error?: string) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      readied = (error) => (error === undefined ? resolve() : reject(new Error(error)));
    });
    ready.catch(() => undefined);
    const failAll = (message: string) => {
      readied(message);
      if (this.worker?.w === w) this.worker = undefined;
      for (const [, resolve] of this.pending) resolve({ error: { code: '54000', message }, broken: true });
      this.pending.clear();
    };
    w.on('message', (m: { id: number; ready?: boolean; message?: string } & WorkerAnswer) => {
      if (m.ready !== undefined) {
        readied(m.ready ? undefined : `catalog could not start: ${m.message}`);
        return;
      }
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.(m);
    });
    w.on('error', (err) => failAll(`catalog worker failed: ${err.message}`));
    w.on('exit', () => failAll('catalog worker exited'));
    this.worker = { w, ready };
    return this.worker;
  }

  /** Runs one protocol exchange over a mirror holding exactly `streams` (the ones the caller may see). */
  async run(message: Uint8Array, streams: { name: string; columns: string }[]): Promise<WorkerAnswer> {
    const current = this.spawn();
    try {
      await current.ready;
    } catch (err) {
      if (this.worker === current) this.worker = undefined;
      void current.w.terminate();
      return { error: { code: '58000', message: (err as Error).message }, broken: true };
    }
    const { w } = current;
    const id = this.nextId++;
    return new Promise<WorkerAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.worker === current) this.worker = undefined;
        void w.terminate();
        resolve({ error: { code: '57014', message: `canceling statement due to statement timeout (${this.options.timeoutMs} ms)` } });
      }, this.options.timeoutMs);
      this.pending.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      w.postMessage({ id, message, streams });
    });
  }

  /** Starts the worker's PGlite ahead of the first statement (it compiles WebAssembly: seconds). */
  warmUp(): void {
    this.spawn();
  }

  async close(): Promise<void> {
    const current = this.worker;
    this.worker = undefined;
    await current?.w.terminate();
  }
}
