// Builds build/omniprune_native.node with g++ against oneDNN (Debian: libdnnl-dev) and Node's N-API headers.
// Never fails the install: when it cannot build, it prints one line saying why and omniprune uses wasm alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'omniprune_native.node');
const verbose = process.argv.includes('--verbose');
const SOURCES = ['addon.cc', 'conv.cc', 'batch-norm.cc', 'eltwise.cc'];
const compiler = process.env.CXX ?? 'g++';
const nodeHeaders = [resolve(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].find((d) => existsSync(join(d, 'node_api.h')));
const dnnlHeader = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find((f) => existsSync(f));

function skip(reason) {
  console.log(`@omniprune/backend-native: not built (${reason}); omniprune will use the wasm backend`);
  process.exit(0);
}

if (process.env.OMNIPRUNE_SKIP_NATIVE) skip('OMNIPRUNE_SKIP_NATIVE is set');
if (process.platform !== 'linux' || process.arch !== 'x64') skip(`${process.platform}-${process.arch} is not supported yet (linux-x64 only)`);
if (!nodeHeaders) skip('Node N-API headers (include/node/node_api.h) not found');
if (!dnnlHeader) skip('oneDNN headers not found: apt-get install libdnnl-dev');
try {
  execFileSync(compiler, ['--version'], { stdio: 'ignore' });
} catch {
  skip(`no C++ compiler (${compiler}): apt-get install g++`);
}
mkdirSync(dirname(out), { recursive: true });
const partial = `${out}.${process.pid}.tmp`;
const args = [
  '-O3', '-std=c++17', '-shared', '-fPIC', '-fopenmp', '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=omniprune_native',
  `-I${nodeHeaders}`, `-I${dirname(dirname(dirname(dnnlHeader)))}`, ...SOURCES.map((f) => join(root, 'native', f)), '-ldnnl', '-o', partial,
];
try {
  execFileSync(compiler, args, { stdio: verbose ? 'inherit' : 'pipe' });
  renameSync(partial, out);
  console.log(`@omniprune/backend-native: built ${out}`);
} catch (err) {
  rmSync(partial, { force: true });
  const detail = String(err.stderr ?? err.message).split('\n').find((l) => l.includes('error')) ?? String(err.message).split('\n')[0];
  skip(`compile failed: ${detail.trim()}`);
}
