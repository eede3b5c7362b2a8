// Runs one command (an n8n process, PostgreSQL, Redis) as the leader of its own process group and
// ends the whole group when the process that started it goes away (a test runner killed with
// SIGKILL cannot clean up, and no server may be left running).
//
//   <node> supervise.mjs [--cleanup=<dir>] <command> [args...]
//
// --cleanup: a throw-away user folder to delete when the caller died without stopping us.
//
// Started by scripts/n8n/instance.mjs and supervised.mjs with `detached: true`, so this process's
// pid is the group id; stop() signals the group, which reaches n8n and its task runners.

import { spawn } from 'node:child_process';
import fs from 'node:fs';

let argv = process.argv.slice(2);
const cleanup = argv[0]?.startsWith('--cleanup=') ? argv[0].slice('--cleanup='.length) : undefined;
if (cleanup) argv = argv.slice(1);
const [cmd, ...args] = argv;
const parentAtStart = process.ppid;

const child = spawn(cmd, args, { stdio: 'inherit' });

function killGroup(signal) {
	try {
		process.kill(-process.pid, signal);
	} catch {
		// The group is already gone.
	}
}

let orphaned = false;
// When our parent dies we are re-parented (ppid changes): end everything.
const watch = setInterval(() => {
	if (process.ppid !== parentAtStart && !orphaned) {
		orphaned = true;
		process.stderr.write('[supervise] parent exited; stopping n8n\n');
		child.kill('SIGTERM');
		setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
	}
}, 500);

// A SIGTERM to the group reaches n8n directly; stay alive until it has exited
// so that the group stays observable for whoever stops it.
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});

child.on('exit', (code, signal) => {
	clearInterval(watch);
	// Ask anything n8n left behind in the group (task runners) to go; we ignore SIGTERM.
	killGroup('SIGTERM');
	if (orphaned && cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
	process.exit(code ?? (signal ? 1 : 0));
});
child.on('error', (err) => {
	process.stderr.write(`[supervise] cannot start ${cmd}: ${err.message}\n`);
	process.exit(127);
});
