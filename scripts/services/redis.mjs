// A throw-away Redis for queue-mode tests and `npm run cluster`: Debian's `redis-server`
// (installed when missing), its data in a temporary folder, listening on a free loopback port
// only, with append-only persistence as a production Redis for n8n's queue should have (a
// restart keeps the queued jobs). No systemd, no system-wide instance.
//
//   const redis = await startRedis();
//   redis.env       // QUEUE_BULL_REDIS_HOST / _PORT for n8n
//   await redis.stopServer(); await redis.startServer();   // an outage, same data
//   await redis.stop();
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './processes.mjs';
import { ensureDebianPackages } from './debian.mjs';
import { launchSupervised, waitUntil, withServerLifecycle } from './supervised.mjs';

const HOST = '127.0.0.1';
const SERVER = '/usr/bin/redis-server';
const CLI = '/usr/bin/redis-cli';

export function ensureRedis(options = {}) {
	return ensureDebianPackages({
		packages: ['redis-server'],
		find: () => (fs.existsSync(SERVER) && fs.existsSync(CLI) ? SERVER : undefined),
		what: 'Redis',
		...options,
	});
}

/** options: logFile [<folder>/redis.log], appendOnly [true] */
export async function startRedis(options = {}) {
	const { appendOnly = true } = options;
	ensureRedis();
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-redis-'));
	const logFile = path.resolve(options.logFile ?? path.join(folder, 'redis.log'));
	let removed = false;
	const removeFolder = () => {
		if (!removed) fs.rmSync(folder, { recursive: true, force: true });
		removed = true;
	};
	process.once('exit', removeFolder);

	let port = await freePort();
	let server;
	const cli = (...args) => spawnSync(CLI, ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8' });

	async function startServer() {
		server = launchSupervised({
			command: SERVER,
			args: [
				'--port', String(port),
				'--bind', HOST,
				'--dir', folder,
				'--daemonize', 'no',
				'--save', '',
				'--appendonly', appendOnly ? 'yes' : 'no',
				'--appendfsync', 'everysec',
				'--protected-mode', 'yes',
			],
			cwd: folder,
			logFile,
			cleanupDir: folder,
			// Redis saves its data and exits on SIGTERM.
			stopSignal: 'SIGTERM',
		});
		await waitUntil('Redis to answer PING', () => cli('PING').stdout.trim() === 'PONG', { timeoutMs: 30_000, program: server });
	}
	async function stopServer() {
		await server?.stop({ timeoutMs: 20_000 });
	}

	try {
		for (let attempt = 1; ; attempt++) {
			try {
				await startServer();
				break;
			} catch (error) {
				const taken = /Address already in use/i.test(fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
				if (!taken || attempt >= 3) throw error;
				port = await freePort();
			}
		}
	} catch (error) {
		await server?.stop().catch(() => {});
		removeFolder();
		throw error;
	}
	return withServerLifecycle(
		{
			host: HOST,
			port,
			folder,
			logFile,
			url: `redis://${HOST}:${port}`,
			/** What n8n needs to use this Redis for its queue. */
			env: { QUEUE_BULL_REDIS_HOST: HOST, QUEUE_BULL_REDIS_PORT: String(port) },
			/** redis-cli with these arguments against this server: { status, stdout, stderr }. */
			cli,
		},
		{ server: () => server, startServer, stopServer, removeFolder },
	);
}
