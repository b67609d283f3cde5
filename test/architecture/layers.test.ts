/**
 * The layers of `src/`, bottom first, and the rule that keeps them apart: a module may
 * import from its own unit or from a unit in a lower layer, never from one beside it or
 * above it. Units in one layer (the runners, say) know nothing of each other.
 * docs/design.md explains what each layer is for.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['primitives'],
  ['task'],
  ['runners/loop', 'runners/pool', 'runners/distributed'],
  ['runners/auto'],
  ['executor'],
  ['index.ts', 'sites'],
  ['run', 'bench', 'distributed-worker'],
  ['cli'],
];

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** The unit a path under `src/` belongs to: the longest unit name that is a prefix of it. */
function unitOf(path: string): string | undefined {
  let best: string | undefined;
  for (const unit of LAYERS.flat()) {
    if ((path === unit || path.startsWith(`${unit}/`)) && unit.length > (best?.length ?? 0))
      best = unit;
  }
  return best;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** Relative specifiers a module imports or re-exports, types included. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Checks one import edge between two paths relative to `src/`. */
function check(from: string, to: string): Violation | undefined {
  const fromUnit = unitOf(from);
  const toUnit = unitOf(to);
  if (!fromUnit) return { from, to, why: `${from} is in no layer: add its folder to LAYERS` };
  if (!toUnit) return { from, to, why: `${to} is in no layer: add its folder to LAYERS` };
  if (fromUnit === toUnit) return undefined;
  const [up, down] = [layerOf(fromUnit), layerOf(toUnit)];
  if (down < up) return undefined;
  const where = down === up ? 'beside it' : 'above it';
  return { from, to, why: `${fromUnit} imports ${toUnit}, which is ${where}` };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function toSrc(absolute: string): string {
  return relative(SRC, absolute).split(sep).join('/').replace(/\.js$/, '.ts');
}

describe('layers', () => {
  it('no module imports from a layer above its own, or from a unit beside it', () => {
    const violations: Violation[] = [];
    let edges = 0;
    for (const file of sourceFiles(SRC)) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        edges++;
        const violation = check(toSrc(file), toSrc(resolve(dirname(file), spec)));
        if (violation) violations.push(violation);
      }
    }
    assert.ok(edges > 100, `only ${edges} imports found: the import pattern is broken`);
    assert.deepEqual(
      violations.map((v) => `${v.from} → ${v.to}: ${v.why}`),
      [],
    );
  });

  it('the rule refuses an import upward, one sideways and a file outside every layer', () => {
    assert.match(check('core/errors.ts', 'executor/front.ts')?.why ?? '', /above it/);
    assert.match(check('runners/pool/pool.ts', 'runners/loop/loop.ts')?.why ?? '', /beside it/);
    assert.match(check('misc/x.ts', 'core/errors.ts')?.why ?? '', /in no layer/);
    assert.equal(check('runners/auto/auto.ts', 'runners/loop/loop.ts'), undefined);
    assert.equal(check('cli/main.ts', 'bench/lab.ts'), undefined);
  });

  it('finds static, dynamic, type-only and re-export imports', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "const d = await import('./d.js');",
      "import './e.js';",
      "import { f } from 'node:fs';",
    ].join('\n');
    assert.deepEqual(importsOf(source), ['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });
});
