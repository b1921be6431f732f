#!/usr/bin/env node
// genhash: keepalived-compatible digest tool (see src/check/http/genhash/run.ts).
import { runGenhash } from '../check/http/genhash/run.js';

process.exit(await runGenhash(process.argv.slice(2), process.env));
