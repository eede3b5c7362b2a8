// Starts a server program (PostgreSQL, Redis) the way scripts/n8n/instance.mjs starts n8n: under
// supervise.mjs, as the leader of its own process group, so that it is stopped (and
// its throw-away folder removed) even when the process that started it dies without cleaning up.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { isAlive, sleep, waitFor } from './processes.mjs';

const supervisor = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'supervise.mjs');

// Every program still running from this process, killed on exit as a last resort.
const running = new Set();
process.once('exit', () => {
	for (const program of running) program.killNow();
});

/**
 * options: command, args, env, cwd, logFile (appended to), cleanupDir (removed if we die),
 * stopSignal (what asks the program to shut down cleanly, default SIGTERM).
 * Returns { pid, exited (promise), alive(), stop({ timeoutMs }), kill(), killNow() }.
 */
export function launchSupervised({ command, args = [], env = process.env, cwd, logFile, cleanupDir, stopSignal = 'SIGTERM' }) {
	const logFd = fs.openSync(logFile, 'a');
	fs.writeSync(logFd, `\n===== ${path.basename(command)} ${args.join(' ')} =====\n`);
	const child = spawn(
		process.execPath,
		[supervisor, ...(cleanupDir ? [`--cleanup=${cleanupDir}`] : []), command, ...args],
		{ env, cwd, detached: true, stdio: ['ignore', logFd, logFd] },
	);
	fs.closeSync(logFd);
	child.unref();
	const pgid = child.pid;
	let exitInfo;
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exitInfo = { code, signal };
			resolve(exitInfo);
		});
	});
	const signalGroup = (signal) => {
		try {
			process.kill(-pgid, signal);
		} catch {
			// already gone
		}
	};
	const program = {
		pid: pgid,
		exited,
		get exitInfo() {
			return exitInfo;
		},
		alive: () => isAlive(pgid),
		/** Asks for a clean shutdown, SIGKILL after timeoutMs; resolves once the whole group is gone. */
		async stop({ timeoutMs = 15_000 } = {}) {
			running.delete(program);
			if (isAlive(pgid)) {
				signalGroup(stopSignal);
				const deadline = Date.now() + timeoutMs;
				while (isAlive(pgid) && Date.now() < deadline) await sleep(50);
				if (isAlive(pgid)) signalGroup('SIGKILL');
				while (isAlive(pgid)) await sleep(50);
			}
		},
		/** SIGKILL to the whole group: a crash, not a shutdown. */
		async kill() {
			running.delete(program);
			signalGroup('SIGKILL');
			while (isAlive(pgid)) await sleep(20);
		},
		killNow() {
			if (isAlive(pgid)) signalGroup('SIGKILL');
			if (cleanupDir) fs.rmSync(cleanupDir, { recursive: true, force: true });
		},
	};
	running.add(program);
	return program;
}

/** Polls fn until it returns something truthy, as waitFor does, and fails at once when `program` has exited. */
export function waitUntil(what, fn, { timeoutMs = 30_000, intervalMs = 100, program } = {}) {
	const exited = () => Object.assign(new Error(`${what}: the program exited (${JSON.stringify(program.exitInfo)})`), { fatal: true });
	return waitFor(
		what,
		() => {
			if (program?.exitInfo) throw exited();
			return fn();
		},
		{ timeoutMs, intervalMs },
	);
}

/**
 * Adds what every service handle has for its server to `handle`: `pid` (of the server running now,
 * read each time, since an outage test stops and starts it), `alive()`, `startServer()`,
 * `stopServer()` and `stop()`, which also removes the service's throw-away folder.
 */
export function withServerLifecycle(handle, { server, startServer, stopServer, removeFolder }) {
	return Object.defineProperties(handle, {
		pid: { get: () => server()?.pid, enumerable: true },
		alive: { value: () => Boolean(server()?.alive()), enumerable: true },
		startServer: { value: startServer, enumerable: true },
		stopServer: { value: stopServer, enumerable: true },
		stop: {
			value: async () => {
				await stopServer();
				removeFolder();
			},
			enumerable: true,
		},
	});
}
