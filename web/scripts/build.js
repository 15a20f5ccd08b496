// Makes the player runnable: copies peaks.js's standalone bundle and its licence into
// player/vendor/, and bundles the page's ES modules (player/src/) into one classic script,
// player/dist/player.js, because Chromium does not load module scripts from file:// pages.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const peaks = join(web, 'node_modules', 'peaks.js');
const vendor = join(web, 'player', 'vendor');
mkdirSync(vendor, { recursive: true });
copyFileSync(join(peaks, 'dist', 'peaks.min.js'), join(vendor, 'peaks.js'));
copyFileSync(join(peaks, 'COPYING'), join(vendor, 'peaks.js.COPYING'));
copyFileSync(join(peaks, 'package.json'), join(vendor, 'peaks.js.package.json'));

await build({
  entryPoints: [join(web, 'player', 'src', 'main.js')],
  bundle: true,
  format: 'iife',
  target: 'es2020',
  sourcemap: true,
  outfile: join(web, 'player', 'dist', 'player.js'),
  logLevel: 'warning',
});
