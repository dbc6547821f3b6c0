// Runs a WASI command under node's own WASI, for tests that compare Parigot's
// results with another implementation's:
//   node --experimental-wasi-unstable-preview1 run-wasi.mjs PROG.wasm \
//       GUEST=HOST... -- ARGS...
// Each GUEST=HOST preopens the host directory HOST as GUEST. Exits with the
// program's exit code.
import { readFile } from 'node:fs/promises';
import { argv, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [wasm, ...rest] = argv.slice(2);
const dash = rest.indexOf('--');
const dirs = dash < 0 ? rest : rest.slice(0, dash);
const args = dash < 0 ? [] : rest.slice(dash + 1);
const preopens = {};
for (const d of dirs) {
  const at = d.indexOf('=');
  preopens[d.slice(0, at)] = d.slice(at + 1);
}
const wasi = new WASI({ version: 'preview1', args: [wasm, ...args], env: {}, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasm));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
exit(wasi.start(instance));
