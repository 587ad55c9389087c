'use strict';
// Where kinesalite differs from Kinesis in a way our code meets, fix it before kinesalite loads its actions.
//
// GetShardIterator AT_TIMESTAMP: kinesalite looks for the shard's first record at or after the timestamp and never
// answers when there is none (the request hangs until the client gives up). Kinesis returns an iterator that reads
// the records arriving later, which is what a live tail that resumes "from a time" on a quiet shard relies on. With
// no such record the patched action answers with the iterator LATEST would give at this instant.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const file = require.resolve('kinesalite/actions/getShardIterator');
const source = fs.readFileSync(file, 'utf8');
const hanging = /\.head\(function\(item\) \{\s*iteratorSeq = item\.key\.split\('\/'\)\[1\]/;
if (!hanging.test(source)) {
  // A kinesalite release changed this action: check whether it still hangs, then update or drop this fix.
  throw new Error(`kinesalite-fixes: ${file} no longer has the AT_TIMESTAMP code this fix patches`);
}
const patched = source.replace(
  hanging,
  `.join(function(items) {
          var item = items[0]
          iteratorSeq = item ? item.key.split('/')[1] : db.stringifySequence({
            shardCreateTime: shardSeqObj.shardCreateTime,
            seqIx: stream._seqIx[Math.floor(shardIx / 5)],
            seqTime: now,
            shardIx: shardSeqObj.shardIx,
          })`,
);
const fixed = new Module(file, module);
fixed.filename = file;
fixed.paths = Module._nodeModulePaths(path.dirname(file));
fixed._compile(patched, file);
fixed.loaded = true;
require.cache[file] = fixed;
