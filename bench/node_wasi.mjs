// Runs a WASI preview 1 command module on Node's V8 (node:wasi), for bench/kernels.py.
//
//   node --no-warnings --no-turbo-fast-api-calls bench/node_wasi.mjs MODULE.wasm [ARGS...]
//
// --no-turbo-fast-api-calls: Node 20's node:wasi crashes (SIGSEGV after the module's output)
// when a module grows its memory to 64 MiB or more and then calls WASI through V8's fast API
// calls (nodejs/node#46777, #53087). Without fast calls the WASI imports take the ordinary
// path; the Wasm code itself is compiled and run the same way.
// The module's arguments are MODULE.wasm and ARGS; its exit status is the process's.
// No directories are preopened and the environment is empty.
import { readFile } from "node:fs/promises";
import process, { argv, exit } from "node:process";
import { WASI } from "node:wasi";

const [path, ...rest] = argv.slice(2);
if (!path) {
  console.error("usage: node bench/node_wasi.mjs MODULE.wasm [ARGS...]");
  exit(2);
}
const wasi = new WASI({ version: "preview1", args: [path, ...rest], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
