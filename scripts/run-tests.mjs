#!/usr/bin/env node
// Runs every test file under test/ with node's own runner, TypeScript loaded through tsx.
// (Node 20's --test does not expand globs itself.) Extra arguments are passed through,
// e.g. `npm test -- --test-name-pattern=semaphore`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = testFiles('test').sort();
const args = ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files];
const { status, signal } = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(status ?? (signal ? 1 : 0));
