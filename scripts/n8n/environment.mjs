// What a throw-away n8n is started with: its owner (created from the environment, so no sign-up
// screen), its encryption key, its ports, and an environment that keeps the host's own n8n
// settings out and n8n's calls to its online services off.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { HOST, freePort, releasePorts } from '../services/processes.mjs';
import { runtimePath } from './provision.mjs';

/** `length` letters and digits, as n8n's own ids are. */
export function randomId(length = 16) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.randomBytes(length);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** The owner account: what the caller gave, a generated password and names otherwise. */
export function ownerOf(option = {}) {
	return {
		email: option.email ?? 'owner@e2e.test',
		password: option.password ?? `E2e-${randomId(12)}-1a`,
		firstName: option.firstName ?? 'E2E',
		lastName: option.lastName ?? 'Owner',
	};
}

/**
 * The ports one n8n binds, picked now and bound by n8n later: another process may take one in
 * between, so a start that hits "already in use" calls this again with the previous ports.
 * N8N_PORT and N8N_RUNNERS_BROKER_PORT in `extraEnv` are kept as given.
 */
export async function pickPorts(extraEnv, previous) {
	if (previous) releasePorts(...portsOf(previous));
	const port = extraEnv.N8N_PORT ? Number(extraEnv.N8N_PORT) : await freePort();
	return {
		port,
		brokerPort: extraEnv.N8N_RUNNERS_BROKER_PORT ? Number(extraEnv.N8N_RUNNERS_BROKER_PORT) : await freePort(),
		runnerHealthPort: await freePort(),
		workerHealthPort: await freePort(),
		baseUrl: `http://${HOST}:${port}`,
	};
}

export const portsOf = ({ port, brokerPort, runnerHealthPort, workerHealthPort }) => [port, brokerPort, runnerHealthPort, workerHealthPort];

/** The environment that says which ports to use; values the caller set in `extraEnv` win. */
export function portEnv(ports, extraEnv) {
	const env = {
		N8N_PORT: String(ports.port),
		N8N_EDITOR_BASE_URL: `${ports.baseUrl}/`,
		N8N_WEBHOOK_URL: `${ports.baseUrl}/`,
		N8N_RUNNERS_BROKER_PORT: String(ports.brokerPort),
		N8N_RUNNERS_HEALTH_CHECK_SERVER_PORT: String(ports.runnerHealthPort),
		QUEUE_HEALTH_CHECK_PORT: String(ports.workerHealthPort),
	};
	for (const key of Object.keys(env)) if (extraEnv[key] !== undefined) env[key] = String(extraEnv[key]);
	return env;
}

// A reused user folder already holds a key in .n8n/config; n8n refuses to
// start when the environment names a different one.
function encryptionKeyOf(n8nFolder, extraEnv) {
	let savedKey;
	try {
		savedKey = JSON.parse(fs.readFileSync(path.join(n8nFolder, 'config'), 'utf8')).encryptionKey;
	} catch {
		savedKey = undefined;
	}
	return extraEnv.N8N_ENCRYPTION_KEY ?? savedKey ?? crypto.randomBytes(24).toString('hex');
}

/** The whole environment of every n8n command run for one instance. */
export function n8nEnvironment({ runtime, userFolder, n8nFolder, owner, ports, logLevel, extraEnv }) {
	// bcryptjs from the runtime: the package under test has no such dependency.
	const bcrypt = createRequire(path.join(runtime.nodeModules, 'noop.js'))('bcryptjs');
	const inherited = {};
	for (const [k, v] of Object.entries(process.env)) {
		// Keep the host's n8n/DB/queue settings and test-runner variables
		// (NODE_ENV=test changes n8n's behaviour) out of the instance.
		if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|JEST_|NODE_OPTIONS$|NODE_ENV$|npm_|INIT_CWD$)/.test(k)) continue;
		inherited[k] = v;
	}
	return {
		...inherited,
		PATH: runtimePath(runtime.nodeBin),
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKeyOf(n8nFolder, extraEnv),
		N8N_LISTEN_ADDRESS: HOST,
		N8N_HOST: HOST,
		...portEnv(ports, extraEnv),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: HOST,
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(owner.password, 10),
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
		// No calls to n8n.io services (no internet here, and tests must not depend on it).
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		// Its system task polls api.n8n.io for MCP servers and logs a stack trace. Older n8n
		// versions, which do not have it, refuse to start with an unknown module name.
		...(fs.existsSync(path.join(runtime.nodeModules, 'n8n', 'dist', 'modules', 'mcp-registry')) && {
			N8N_DISABLED_MODULES: 'mcp-registry',
		}),
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// Explicit values silence n8n's deprecation notices about changing defaults.
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_TASK_TIMEOUT: '60',
		N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(256 * 1024 * 1024),
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: logLevel,
		N8N_LOG_OUTPUT: 'console',
		// Short shutdown so stop() is quick.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		...Object.fromEntries(Object.entries(extraEnv).map(([k, v]) => [k, String(v)])),
	};
}
