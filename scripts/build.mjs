#!/usr/bin/env node
// Builds dist/: type declarations from tsc, JavaScript bundled by esbuild.
//
// Why bundle: a program pays for every module it imports — Node reads, parses and links
// each file — and a pool's cold start was mostly that: the package's 43 modules took
// ~60 ms to import, one bundled file ~30 ms. Code splitting keeps one copy of each module
// across the entry points, so an error class is the same class whether a program reaches
// it through the library or the CLI (`instanceof` keeps working when both are loaded).
//
// The entry points are the files something loads by path: the library, the CLI, the
// worker program, and the bench task modules that workers import by URL.
//
// `import.meta.url` needs care: bundled, a module's code lands in an entry file or in a
// shared chunk, and URLs it resolves against its own location (`../worker/main.js`, the
// package manifest) would break. So every module sees, as its `import.meta.url`, the URL
// it would have had as its own file in dist/ — computed at run time from wherever its
// code landed. Where that is comes from a first, unwritten pass over the same graph.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
// `--out DIR --no-types`: the JavaScript alone, elsewhere (the bundle's own test builds one).
const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'dist' },
    'no-types': { type: 'boolean', default: false },
  },
});
const dist = resolve(root, args.out);

/** Loaded by path in the calling process: the library, the CLI, the bench task modules. */
const SHARED_ENTRY_POINTS = [
  'index.ts',
  'sites/server.ts',
  // The sites server's own process: spawned by path (the bench keeps it out of its event loop).
  'sites/child.ts',
  'cli/main.ts',
  'bench/jobs/cpu.ts',
  'bench/jobs/io.ts',
  'bench/jobs/race.ts',
];
/**
 * The worker program runs alone in its thread or process, so nothing is gained by sharing
 * its modules: one file is the quickest start (each extra file cost a worker ~1–2 ms).
 */
const WORKER_ENTRY_POINT = 'runners/pool/worker/main.ts';

/**
 * Left to the installed package's own dependencies: tsx (the one runtime dependency, for
 * `.ts` task modules) and the optional peers bullmq and ioredis. Everything else the CLI and
 * the bench use (commander, cli-progress, undici) is bundled into their chunks, so a
 * library user installs none of it and a CLI user needs nothing more.
 */
const EXTERNAL = ['tsx', 'tsx/*', 'bullmq', 'ioredis'];

const common = {
  absWorkingDir: root,
  outbase: src,
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's built-ins; ESM has none of its own.
  banner: {
    js: "import { createRequire as __switchyardRequire } from 'node:module'; const require = __switchyardRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(dist, { recursive: true, force: true });
if (!args['no-types']) {
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--emitDeclarationOnly',
      '--outDir',
      dist,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
const shared = await bundle({
  ...common,
  entryPoints: SHARED_ENTRY_POINTS.map((file) => join(src, file)),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
const worker = await bundle({ ...common, entryPoints: [join(src, WORKER_ENTRY_POINT)] });
writeThirdPartyNotices([shared, worker]);

/** Bundles twice: the first pass, unwritten, says where each module lands (see above). */
async function bundle(options) {
  const firstPass = await build({ ...options, write: false, metafile: true });
  const landedIn = outputOfEachInput(firstPass.metafile);
  const secondPass = await build({
    ...options,
    metafile: true,
    plugins: [moduleUrlPlugin(landedIn)],
  });
  // The plugin's URLs are right only if the second pass put each module where the first did.
  const moved = [...outputOfEachInput(secondPass.metafile)].filter(
    ([input, output]) => dirname(landedIn.get(input) ?? '') !== dirname(output),
  );
  if (moved.length > 0) {
    console.error(
      `build: modules moved between passes: ${moved.map(([input]) => input).join(', ')}`,
    );
    process.exit(1);
  }
  return secondPass.metafile;
}

/**
 * The bundled packages' licences, kept beside the code that contains them
 * (`dist/THIRD_PARTY_NOTICES.md`), as their MIT and ISC licences ask.
 */
function writeThirdPartyNotices(metafiles) {
  const packages = new Map();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match)
        packages.set(match[1], join(root, input.slice(0, match.index), 'node_modules', match[1]));
    }
  }
  const sections = [...packages]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, dir]) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const licence = readdirSync(dir).find((file) => /^licen[cs]e/i.test(file));
      const text = licence ? readFileSync(join(dir, licence), 'utf8').trim() : manifest.license;
      return `## ${name} ${manifest.version}\n\n${text}\n`;
    });
  writeFileSync(
    join(dist, 'THIRD_PARTY_NOTICES.md'),
    `# Third-party code bundled in this package\n\n${sections.join('\n')}`,
  );
}

/** Absolute path of each source module → absolute path of the output file holding its code. */
function outputOfEachInput(metafile) {
  const landed = new Map();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    for (const input of Object.keys(inputs))
      landed.set(resolve(root, input), resolve(root, output));
  }
  return landed;
}

function moduleUrlPlugin(landed) {
  return {
    name: 'module-url',
    setup(bundler) {
      bundler.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const own = join(dist, relative(src, path)).replace(/\.ts$/, '.js');
        const from = landed.get(path);
        if (!from) throw new Error(`build: no output for ${path} in the first pass`);
        const href = relative(dirname(from), own).split(sep).join('/');
        const { code } = await transform(source, {
          loader: 'ts',
          format: 'esm',
          sourcefile: path,
          define: { 'import.meta.url': '__moduleUrl' },
        });
        return {
          contents: `const __moduleUrl = new URL(${JSON.stringify(href)}, import.meta.url).href;\n${code}`,
          loader: 'js',
        };
      });
    },
  };
}
