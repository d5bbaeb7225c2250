export { BACKEND_NAMES } from './backend-types.js';
export type { Backend, BackendAttempt, BackendInfo, BackendName, InitBackendOptions } from './backend-types.js';
export { BACKEND_ENV_VAR, describeBackend, initBackend } from './select-backend.js';
export { wasmThreadsWanted } from './load-backend.js';
export { registerWasmKernels, restoreWasmKernels, WASM_KERNEL_NAMES } from './kernels/register-wasm-kernels.js';
export { profileKernels } from './kernel-profile.js';
export type { KernelTime } from './kernel-profile.js';
