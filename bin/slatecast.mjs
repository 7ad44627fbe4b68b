#!/usr/bin/env node
// The batch-tier CLI. Runs the TypeScript sources through tsx so there is no build step.
import { register } from 'tsx/esm/api';
register();
await import('../gpu-batch/cli.ts');
