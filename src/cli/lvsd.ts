#!/usr/bin/env node
// Placeholder entry point; the config front end replaces this.
process.stdout.write('lvsd 0.1.0\n');
