#!/usr/bin/env node
// Regenerates libs/identity-client/src/generated from proto/ (the one source of truth):
//   node libs/identity-client/codegen/generate.js [outDir]
// - the message and service types, by @grpc/proto-loader's proto-loader-gen-types, with the
//   loader options the SDK loads the service with (keepCase, longs as numbers, enums as
//   strings, defaults, virtual oneof fields);
// - identity-descriptor.ts: the same proto as a protobufjs JSON descriptor, so the SDK needs
//   no .proto file at run time.
// The output is committed; generated-code.spec.ts regenerates into a temporary directory and
// fails when it differs, so an edited proto without a regeneration cannot land.
'use strict';

const { execFileSync } = require('node:child_process');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const protobuf = require('protobufjs');

const REPO = resolve(__dirname, '../../..');
const PROTO_ROOT = join(REPO, 'proto');
const PROTO = 'identity/v1/identity.proto';

function generate(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
      PROTO,
      '--keepCase',
      '--longs=Number',
      '--enums=String',
      '--defaults',
      '--oneofs',
      '--includeComments',
      '--grpcLib=@grpc/grpc-js',
      `--outDir=${outDir}`,
      '--includeDirs=proto',
    ],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  root.loadSync(PROTO, { keepCase: true });
  const descriptor = JSON.stringify(root.toJSON(), null, 2);
  writeFileSync(
    join(outDir, 'identity-descriptor.ts'),
    `// Generated from proto/${PROTO} by libs/identity-client/codegen/generate.js. Do not edit.\n` +
      `// The protobufjs JSON descriptor the SDK loads the service from (no .proto at run time).\n` +
      `export const IDENTITY_PROTO_DESCRIPTOR: object = ${descriptor};\n`,
  );
}

module.exports = { generate };

if (require.main === module) {
  generate(resolve(process.argv[2] ?? join(__dirname, '../src/generated')));
}
