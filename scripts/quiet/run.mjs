#!/usr/bin/env node
// Runs a command once the machine is quiet, for benchmark figures that describe the code rather than
// whatever else the machine was doing: waits until the 1-minute load average is below a threshold,
// runs the command, and prints the load average (1, 5 and 15 minutes) before and after.
//
//   node scripts/quiet/run.mjs npm run bench:n8n
//   node scripts/quiet/run.mjs --below 0.3 --timeout 1800 npm run reliability -- --load 5000
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

import { formatLoad, parseOptions, USAGE } from './options.mjs';

const options = parseOptions(process.argv.slice(2));
if (options.help) {
	console.log(USAGE);
	process.exit(0);
}
if (options.error) {
	console.error(`${options.error}\n\n${USAGE}`);
	process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const waitStarted = Date.now();
let lastReport = 0;
while (loadavg()[0] >= options.below) {
	const waited = (Date.now() - waitStarted) / 1000;
	if (waited >= options.timeoutSeconds) {
		console.error(`quiet: the load average stayed at or above ${options.below} for ${waited.toFixed(0)} s (now ${formatLoad(loadavg())}); not running the command`);
		process.exit(3);
	}
	if (Date.now() - lastReport >= 60_000) {
		console.error(`quiet: waiting for the 1-minute load average to fall below ${options.below} (load ${formatLoad(loadavg())})`);
		lastReport = Date.now();
	}
	await sleep(5000);
}

const before = formatLoad(loadavg());
const started = Date.now();
console.error(`quiet: load before ${before} (1, 5, 15 min), after waiting ${((started - waitStarted) / 1000).toFixed(0)} s; running ${options.command.join(' ')}`);
const child = spawn(options.command[0], options.command.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
	console.error(`quiet: cannot run ${options.command[0]}: ${error.message}`);
	process.exit(127);
});
child.on('exit', (code, signal) => {
	console.error(`quiet: load before ${before}, after ${formatLoad(loadavg())}; the command took ${((Date.now() - started) / 1000).toFixed(0)} s and ended with ${signal ?? `exit code ${code}`}`);
	process.exit(code ?? 1);
});
