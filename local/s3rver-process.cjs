// Runs s3rver in its own process (started by local/s3-server.ts) so that:
//  - it can use the OpenSSL legacy provider: s3rver 3.7 encrypts ListObjectsV2 continuation
//    tokens with DES, which Node ≥ 17 refuses by default, so any listing past 1,000 keys fails
//    with a 500 in-process;
//  - its disk I/O and request parsing do not share an event loop with the demo or tests;
//  - PUT is read-after-write consistent: s3rver answers a PUT before the bytes are on disk (it
//    resolves on the write stream's end(), not its finish), so its putObject is replaced by one
//    that writes a temp file, waits for it to close, and renames it into place.
// Prints one JSON line {"port": N} when ready; exits when its parent's stdin closes.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { createWriteStream } = require('node:fs');
const { mkdir, rename } = require('node:fs/promises');
const { dirname } = require('node:path');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem.js');

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  const tmp = `${objectPath}.${randomBytes(6).toString('hex')}.partial`;
  const md5 = createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  await pipeline(
    source,
    new Transform({
      transform(chunk, _enc, cb) {
        md5.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    }),
    createWriteStream(tmp),
  );
  await rename(tmp, objectPath);
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

const [directory, bucket, port] = process.argv.slice(2);
const server = new S3rver({ port: Number(port || 0), address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(
  (addr) => process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`),
  (e) => {
    process.stderr.write(`s3rver failed to start: ${e.stack || e}\n`);
    process.exit(1);
  },
);
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
