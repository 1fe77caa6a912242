// Bundles the dashboard into dist/: content-hashed JS and CSS, and index.html pointing at them.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(here, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: [path.join(here, 'src/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: path.join(dist, 'assets'),
  entryNames: 'app-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`unexpected build outputs: ${outputs.join(', ')}`);
const html = (await readFile(path.join(here, 'index.html'), 'utf8'))
  .replace('%APP_JS%', `/assets/${js}`)
  .replace('%APP_CSS%', `/assets/${css}`);
await writeFile(path.join(dist, 'index.html'), html);
// Pre-compressed copies: the server sends them to clients that accept gzip.
for (const file of [js, css]) {
  const full = path.join(dist, 'assets', file);
  await writeFile(`${full}.gz`, gzipSync(await readFile(full), { level: 9 }));
}
const sizes = Object.entries(result.metafile.outputs).map(([p, o]) => `${path.basename(p)} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`built web/dist: ${sizes.join(', ')}`);
