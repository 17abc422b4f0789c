#!/usr/bin/env node
// Resolved through the package's own exports: dist/run.js, or src/run.ts under the
// `@openmmsc/source` condition (how the workspace tests run it, through tsx).
import '@openmmsc/cli/run';
