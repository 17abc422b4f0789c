#!/usr/bin/env node
// Runs the built CLI; inside the workspace, `--conditions=@openmmsc/source` with tsx runs it from source.
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv);
