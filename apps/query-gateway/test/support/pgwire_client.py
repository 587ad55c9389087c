"""psycopg2 against the gateway's PostgreSQL endpoint; prints one JSON line per step for pgwire-clients.spec.ts.

Usage: pgwire_client.py URL LIMITED_URL STREAM SECRET_STREAM
"""
import json
import sys
import threading
import time

import psycopg2
import psycopg2.errors

url, limited_url, stream, secret = sys.argv[1:5]


def out(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def sqlstate(fn):
    try:
        fn()
        return None
    except psycopg2.Error as err:
        return err.pgcode


conn = psycopg2.connect(url)
cur = conn.cursor()
# information_schema, as SQLAlchemy's inspector and Superset list tables
cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
out("tables", names=[r[0] for r in cur.fetchall()])
cur.execute("SELECT version()")
out("version", version=cur.fetchone()[0])
# psycopg2 interpolates %s client-side; the implicit BEGIN/COMMIT are no-ops
cur.execute(f'SELECT source, count(*) FROM "{stream}" WHERE partition_key LIKE %s GROUP BY source ORDER BY source', ("customer-%",))
out("counts", rows=[[r[0], r[1]] for r in cur.fetchall()])
cur.execute(f'SELECT payload, data, arrival_time FROM "{stream}" ORDER BY sequence_number LIMIT 1')
payload, data, arrival = cur.fetchone()
out("types", payload=payload, data=bytes(data).decode(), tz=str(arrival.tzinfo))
conn.rollback()
out("hostile", code=sqlstate(lambda: cur.execute("SELECT * FROM read_text('/etc/passwd')")))
conn.rollback()

# a named (server-side) cursor: DECLARE ... CURSOR, then FETCH FORWARD itersize at a time
named = conn.cursor(name="big")
named.itersize = 5000
named.execute("SELECT i FROM range(100000) t(i) ORDER BY i")
seen = 0
total = 0
for (i,) in named:
    seen += 1
    total += i
named.close()
conn.commit()
out("named_cursor", rows=seen, sum=total)

limited = psycopg2.connect(limited_url)
lcur = limited.cursor()
out("forbidden", code=sqlstate(lambda: lcur.execute(f'SELECT count(*) FROM "{secret}"')))
limited.rollback()
lcur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
out("limited_tables", names=[r[0] for r in lcur.fetchall()])
limited.close()

conn.autocommit = True
started = threading.Event()


def cancel_later():
    time.sleep(2)
    conn.cancel()


threading.Thread(target=cancel_later).start()
out("cancel", code=sqlstate(lambda: cur.execute("SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3")))
cur.execute("SELECT 1 AS one")
out("after_cancel", one=cur.fetchone()[0])
conn.close()
