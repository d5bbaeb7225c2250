#!/usr/bin/env node
import { exitWithParent } from './shared/exit-with-parent.js';
import { runCli } from './main.js';

exitWithParent(process.env.OMNIPRUNE_PARENT_PID);
process.exitCode = await runCli(process.argv.slice(2));
