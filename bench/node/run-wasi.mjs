// Runs a WASI preview1 command module under node (V8), for the compute benchmarks:
//   node run-wasi.mjs MODULE.wasm [ARG...]
// The module's stdout is node's; its exit code is node's.
import { readFile } from 'node:fs/promises';
import { argv, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
