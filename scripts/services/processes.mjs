// What starting throw-away servers on one machine needs, whatever the server (n8n, PostgreSQL,
// Redis): free loopback ports, whether a process group still runs and how much memory it holds,
// and waiting for a condition with a deadline.
import fs from 'node:fs';
import net from 'node:net';

export const HOST = '127.0.0.1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Ports handed out by this process: a server binds them only later, so the OS could
// otherwise give the same free port to two servers started together.
const handedOut = new Set();

export async function freePort() {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await new Promise((resolve, reject) => {
			const srv = net.createServer();
			srv.unref();
			srv.on('error', reject);
			srv.listen(0, HOST, () => {
				const { port: p } = srv.address();
				srv.close(() => resolve(p));
			});
		});
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('no free port found');
}

/** Lets freePort() hand out these ports again (their server has stopped, or never bound them). */
export function releasePorts(...ports) {
	for (const port of ports) handedOut.delete(port);
}

/**
 * Calls `fn` every `intervalMs` until it returns something truthy (returned), an error marked
 * `fatal` is thrown (rethrown), or `timeoutMs` has passed (an error naming `what` and the last failure).
 */
export async function waitFor(what, fn, { timeoutMs, intervalMs = 250, onTick } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	for (;;) {
		onTick?.();
		try {
			const value = await fn();
			if (value) return value;
		} catch (err) {
			if (err.fatal) throw err;
			lastError = err;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
		}
		await sleep(intervalMs);
	}
}

/** Whether any process of the group led by `pgid` is still running. */
export function isAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (err) {
		return err.code === 'EPERM';
	}
}

/**
 * Resident memory of every process in the group led by `pgid` (n8n, its task runner, the
 * supervisor), in MiB, from /proc; 0 where /proc is not available.
 */
export function groupRssMiB(pgid) {
	let kib = 0;
	let entries = [];
	try {
		entries = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
	} catch {
		return 0;
	}
	for (const pid of entries) {
		try {
			// The command name may hold spaces and parentheses: the fields start after the last ')'.
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const [, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(pgrp) !== pgid) continue;
			const rss = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (rss) kib += Number(rss[1]);
		} catch {
			// the process ended while we were reading
		}
	}
	return kib / 1024;
}
