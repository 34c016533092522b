#!/usr/bin/env node
// Thin launcher: refuse a Node older than package.json's engines (>=24) with one clear line before loading anything.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `deckhand: Node ${process.versions.node} is too old; Deckhand needs Node 24 (LTS) or newer.\n` +
      'In this repository, run `. scripts/bootstrap-node.sh` to install Node 24 locally.\n',
  );
  process.exit(2);
}
// Cache V8's compiled code between runs (Node's own on-disk cache): the CLI bundle is large and every
// start would otherwise parse and compile it again.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli.js');
