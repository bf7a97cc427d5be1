#!/usr/bin/env node
// A committed launcher, so the bin exists before the first build and package managers can link it.
import '../dist/cli.js';
