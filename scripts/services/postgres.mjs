// A throw-away PostgreSQL for queue-mode tests and `npm run cluster`: Debian's `postgresql`
// binaries (installed when missing), a fresh cluster in a temporary folder, listening on a free
// loopback port only. Nothing system-wide is used: no systemd, no pg_ctlcluster, not the
// package's own "main" cluster. PostgreSQL refuses to run as root, so as root its programs run
// as the `postgres` system user that the package creates.
//
//   const pg = await startPostgres();
//   pg.env          // DB_TYPE=postgresdb and DB_POSTGRESDB_* for n8n
//   await pg.stopServer(); await pg.startServer();   // an outage, same data
//   await pg.stop();  // stops it and removes the folder
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './processes.mjs';
import { ensureDebianPackages, isRoot, systemUser } from './debian.mjs';
import { launchSupervised, waitUntil, withServerLifecycle } from './supervised.mjs';

const HOST = '127.0.0.1';

/** The newest /usr/lib/postgresql/<major>/bin that has a server, or undefined. */
export function findPostgresBin() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return undefined;
	const majors = fs
		.readdirSync(base)
		.filter((name) => /^\d+$/.test(name) && fs.existsSync(path.join(base, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(base, majors[0], 'bin') : undefined;
}

export function ensurePostgres(options = {}) {
	return ensureDebianPackages({ packages: ['postgresql'], find: findPostgresBin, what: 'PostgreSQL', ...options });
}

/**
 * options: database ['n8n'], user ['n8n'], logFile [<folder>/postgres.log], settings (extra
 * `-c name=value` server settings), quiet [true]
 */
export async function startPostgres(options = {}) {
	const { database = 'n8n', user = 'n8n', settings = {} } = options;
	const bin = ensurePostgres();
	const runAs = isRoot() ? systemUser('postgres') : undefined;
	if (isRoot() && !runAs) throw new Error('running as root but there is no "postgres" system user to run PostgreSQL as');

	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-pg-'));
	const dataDir = path.join(folder, 'data');
	const socketDir = path.join(folder, 'socket');
	const logFile = path.resolve(options.logFile ?? path.join(folder, 'postgres.log'));
	fs.mkdirSync(socketDir);
	if (runAs) fs.chownSync(folder, runAs.uid, runAs.gid), fs.chownSync(socketDir, runAs.uid, runAs.gid);
	let removed = false;
	const removeFolder = () => {
		if (!removed) fs.rmSync(folder, { recursive: true, force: true });
		removed = true;
	};
	process.once('exit', removeFolder);

	// setpriv execs the program directly (no extra process), so signals reach PostgreSQL itself.
	const asOwner = (program, args) =>
		runAs
			? ['/usr/bin/setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', path.join(bin, program), ...args]]
			: [path.join(bin, program), args];
	const password = crypto.randomBytes(18).toString('hex');
	const env = { ...process.env, LC_ALL: 'C', LANG: 'C', ...(runAs && { HOME: folder }) };

	try {
		const pwFile = path.join(folder, 'pwfile');
		fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
		if (runAs) fs.chownSync(pwFile, runAs.uid, runAs.gid);
		const [initdb, initArgs] = asOwner('initdb', [
			`--pgdata=${dataDir}`,
			`--username=${user}`,
			`--pwfile=${pwFile}`,
			'--auth=scram-sha-256',
			'--encoding=UTF8',
			'--no-instructions',
		]);
		const init = spawnSync(initdb, initArgs, { env, cwd: folder, encoding: 'utf8' });
		fs.rmSync(pwFile, { force: true });
		if (init.status !== 0) throw new Error(`initdb failed (${init.status}):\n${init.stdout}${init.stderr}`);

		let port = await freePort();
		let server;
		const serverArgs = () => [
			`-D`,
			dataDir,
			'-c',
			`port=${port}`,
			'-c',
			`listen_addresses=${HOST}`,
			'-c',
			`unix_socket_directories=${socketDir}`,
			'-c',
			'max_connections=200',
			...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
		];
		const isReady = () =>
			spawnSync(path.join(bin, 'pg_isready'), ['-h', HOST, '-p', String(port), '-q'], { env }).status === 0;

		/** Starts the server (again) on the same port and data folder. */
		async function startServer() {
			const [command, args] = asOwner('postgres', serverArgs());
			// SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions instead of waiting for them.
			server = launchSupervised({ command, args, env, cwd: folder, logFile, cleanupDir: folder, stopSignal: 'SIGINT' });
			await waitUntil('PostgreSQL to accept connections', isReady, { timeoutMs: 60_000, program: server });
		}
		/** Stops the server cleanly (clients are disconnected); the data stays for startServer(). */
		async function stopServer() {
			await server?.stop({ timeoutMs: 20_000 });
		}

		for (let attempt = 1; ; attempt++) {
			try {
				await startServer();
				break;
			} catch (error) {
				const taken = /could not bind|already in use/i.test(fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
				if (!taken || attempt >= 3) throw error;
				port = await freePort();
			}
		}
		const createdb = spawnSync(path.join(bin, 'createdb'), ['-h', HOST, '-p', String(port), '-U', user, database], {
			env: { ...env, PGPASSWORD: password },
			encoding: 'utf8',
		});
		if (createdb.status !== 0) throw new Error(`createdb failed:\n${createdb.stderr}`);

		return withServerLifecycle(
			{
				host: HOST,
				port,
				user,
				password,
				database,
				folder,
				logFile,
				bin,
				url: `postgresql://${user}:${password}@${HOST}:${port}/${database}`,
				/** What n8n needs to use this database. */
				env: {
					DB_TYPE: 'postgresdb',
					DB_POSTGRESDB_HOST: HOST,
					DB_POSTGRESDB_PORT: String(port),
					DB_POSTGRESDB_DATABASE: database,
					DB_POSTGRESDB_USER: user,
					DB_POSTGRESDB_PASSWORD: password,
				},
			},
			{ server: () => server, startServer, stopServer, removeFolder },
		);
	} catch (error) {
		removeFolder();
		throw error;
	}
}
