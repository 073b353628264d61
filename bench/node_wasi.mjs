// Runs a WASI preview 1 command module on Node's V8 (node:wasi), for bench/kernels.py.
//
//   node --no-warnings bench/node_wasi.mjs MODULE.wasm [ARGS...]
//
// The module's arguments are MODULE.wasm and ARGS; its exit status is the process's.
// No directories are preopened and the environment is empty.
import { readFile } from "node:fs/promises";
import { argv, exit } from "node:process";
import { WASI } from "node:wasi";

const [path, ...rest] = argv.slice(2);
if (!path) {
  console.error("usage: node bench/node_wasi.mjs MODULE.wasm [ARGS...]");
  exit(2);
}
const wasi = new WASI({ version: "preview1", args: [path, ...rest], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
