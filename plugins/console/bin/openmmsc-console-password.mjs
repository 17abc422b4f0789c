#!/usr/bin/env node
// Resolved through the package's own exports: dist/hash-cli.js, or src/hash-cli.ts under the
// `@openmmsc/source` condition. A bin in the repository, so a fresh install links it before any build.
import '@openmmsc/plugin-console/hash-cli';
