// Finds a program that a Debian package provides, and installs the package when it is missing
// and we may (root with apt-get, as on CI). Without root, it says which command to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Returns `find()`'s answer, installing `packages` with apt-get first when it finds nothing.
 * `find` returns a path (or anything truthy) when the program is there, undefined otherwise.
 */
export function ensureDebianPackages({ packages, find, what, log = (line) => process.stderr.write(`${line}\n`) }) {
	const found = find();
	if (found) return found;
	if (!isRoot() || !fs.existsSync('/usr/bin/apt-get')) {
		throw new Error(
			`${what} is not installed. Install it (Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}) and run again.`,
		);
	}
	log(`Installing ${packages.join(', ')} from Debian packages for ${what}…`);
	// Debian starts services on install unless policy-rc.d forbids it; we never use those services.
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
		const result = spawnSync('apt-get', args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		if (result.status !== 0) {
			throw new Error(`apt-get ${args.join(' ')} failed:\n${(result.stdout + result.stderr).slice(-3000)}`);
		}
	}
	const installed = find();
	if (!installed) throw new Error(`${what}: installed ${packages.join(', ')} but still cannot find it`);
	return installed;
}

/** uid and gid of a system user from /etc/passwd, or undefined. */
export function systemUser(name) {
	for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
		const [user, , uid, gid, , home] = line.split(':');
		if (user === name) return { name, uid: Number(uid), gid: Number(gid), home };
	}
	return undefined;
}

export { isRoot };
