#!/usr/bin/env node
import { exitWithParent } from './shared/exit-with-parent.js';
import { runCli } from './main.js';

exitWithParent(process.env.OMNIPRUNE_PARENT_PID);
// a promise rejected outside the command's own chain ends the process with exit 1, never with a hang or a stack trace
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`omniprune: internal error: ${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)}\n`);
  if (process.env.OMNIPRUNE_DEBUG && reason instanceof Error) process.stderr.write(`${reason.stack}\n`);
  process.exit(1);
});
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// whatever the command left open (an onnxruntime session, a thread pool, a socket) must not keep the process alive
setTimeout(() => process.exit(code), code === 0 ? 10_000 : 2_000).unref();
