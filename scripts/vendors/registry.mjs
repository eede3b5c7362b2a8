// A stand-in for the public npm registry (registry.npmjs.org), for tests that install the package
// the way n8n's Community Nodes installer does. It is not a registry: it serves, from tarballs made
// with `npm pack`, only the read calls npm and n8n make when they install, update or check a
// package (see README.md beside this file), and refuses everything else as the registry would.
//
//   const registry = await startRegistryStandIn({ tarballs: [packedA] });
//   routes: { [REGISTRY_HOST]: registry.url }   // behind the proxy (index.mjs)
//   await registry.publish(packedB);              // a newer version; `latest` moves to it
//   registry.calls; await registry.stop();
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { startVendorStandIns } from './index.mjs';
import { listenOnLoopback } from './loopback.mjs';

export const REGISTRY_HOST = 'registry.npmjs.org';

/** The package.json inside an `npm pack` tarball (a gzipped tar whose files sit under `package/`). */
export function readPackedManifest(tarball) {
	const tar = zlib.gunzipSync(tarball);
	for (let offset = 0; offset + 512 <= tar.length; ) {
		const header = tar.subarray(offset, offset + 512);
		const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
		if (!name) break;
		const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
		const start = offset + 512;
		if (name === 'package/package.json') return JSON.parse(tar.subarray(start, start + size).toString('utf8'));
		offset = start + Math.ceil(size / 512) * 512;
	}
	throw new Error('not an npm pack tarball: no package/package.json inside');
}

// How the registry answers an unknown package, version or path (a JSON body with `error`).
const notFound = (res, error = 'Not found') => send(res, 404, { error });

function send(res, status, body, type = 'application/json') {
	const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
	res.writeHead(status, { 'content-type': type, 'content-length': bytes.length });
	res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/**
 * Starts the stand-in on 127.0.0.1. `tarballs`: paths of `npm pack` files, published in that order
 * (the last one is `latest`). Tarball URLs in its answers name `https://<host>/…`, so npm fetches
 * them through the proxy too.
 */
export async function startRegistryStandIn({ tarballs = [], host = REGISTRY_HOST, port = 0 } = {}) {
	const packages = new Map(); // name -> { versions: Map(version -> { manifest, bytes, file }), latest, time }
	const calls = [];

	function publish(tarballPath) {
		const bytes = fs.readFileSync(tarballPath);
		const manifest = readPackedManifest(bytes);
		const { name, version } = manifest;
		const entry = packages.get(name) ?? { versions: new Map(), latest: undefined, time: { created: new Date().toISOString() } };
		if (entry.versions.has(version)) throw new Error(`${name}@${version} is already published (the registry never replaces a version)`);
		const file = `${name.split('/').pop()}-${version}.tgz`;
		const integrity = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
		const shasum = crypto.createHash('sha1').update(bytes).digest('hex');
		entry.versions.set(version, {
			bytes,
			file,
			manifest: { ...manifest, _id: `${name}@${version}`, dist: { tarball: `https://${host}/${name}/-/${file}`, integrity, shasum } },
		});
		entry.latest = version;
		entry.time[version] = new Date().toISOString();
		entry.time.modified = entry.time[version];
		packages.set(name, entry);
		return { name, version, integrity, shasum };
	}

	function packument(name, entry) {
		return {
			_id: name,
			name,
			'dist-tags': { latest: entry.latest },
			versions: Object.fromEntries([...entry.versions].map(([version, { manifest }]) => [version, manifest])),
			time: entry.time,
		};
	}

	// Paths: /<name>, /<name>/<version or tag>, /<name>/-/<file>.tgz; a scoped name may come as @scope%2fname.
	function answer(req, res) {
		if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'Method not allowed' });
		const path = decodeURIComponent(new URL(req.url, 'http://registry').pathname).replace(/^\/+/, '');
		const scoped = path.startsWith('@');
		const parts = path.split('/');
		const nameLength = scoped ? 2 : 1;
		const name = parts.slice(0, nameLength).join('/');
		const rest = parts.slice(nameLength);
		const entry = packages.get(name);
		if (!name || !entry) return notFound(res);
		if (rest.length === 0) return send(res, 200, packument(name, entry));
		if (rest.length === 1) {
			const version = entry.versions.has(rest[0]) ? rest[0] : rest[0] === 'latest' ? entry.latest : undefined;
			if (!version) return notFound(res, `version not found: ${rest[0]}`);
			return send(res, 200, entry.versions.get(version).manifest);
		}
		if (rest.length === 2 && rest[0] === '-') {
			const published = [...entry.versions.values()].find(({ file }) => file === rest[1]);
			if (!published) return notFound(res);
			return send(res, 200, published.bytes, 'application/octet-stream');
		}
		return notFound(res);
	}

	const server = http.createServer((req, res) => {
		const call = { method: req.method, host: req.headers.host, path: req.url, accept: req.headers.accept, at: new Date().toISOString() };
		calls.push(call);
		res.on('finish', () => (call.status = res.statusCode));
		try {
			answer(req, res);
		} catch (error) {
			send(res, 400, { error: `bad request: ${error.message}` });
		}
	});
	const listening = await listenOnLoopback(server, port);
	for (const tarball of tarballs) publish(tarball);
	return {
		url: listening.url,
		port: listening.port,
		host,
		calls,
		publish,
		/** The versions published so far, oldest first. */
		versions: (name) => [...(packages.get(name)?.versions.keys() ?? [])],
		stop: () => listening.close(),
	};
}

/**
 * The same package under another version: `tarball` unpacked in a temporary folder, `version`
 * written into its package.json, packed again with `npm pack` into `destination`. Returns the path.
 */
export function repackWithVersion(tarball, version, destination) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-repack-'));
	try {
		execFileSync('tar', ['-xzf', path.resolve(tarball), '-C', folder]);
		const manifestPath = path.join(folder, 'package', 'package.json');
		const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
		fs.writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
		fs.mkdirSync(destination, { recursive: true });
		const file = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', path.resolve(destination)], {
			cwd: path.join(folder, 'package'),
			encoding: 'utf8',
		}).trim().split('\n').pop();
		return path.join(path.resolve(destination), file);
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
}

/**
 * The registry stand-in behind the proxy, answering for registry.npmjs.org, with no other vendor.
 * `env` is for n8n (and npm): the proxy, the test authority, and an npm cache of its own, so that
 * nothing of these packages lands in the user's npm cache (removed by stop()).
 */
export async function startRegistryBehindProxy({ tarballs = [] } = {}) {
	const registry = await startRegistryStandIn({ tarballs });
	let vendors;
	try {
		vendors = await startVendorStandIns({ hubspot: false, salesforce: false, routes: { [REGISTRY_HOST]: registry.url } });
	} catch (error) {
		await registry.stop();
		throw error;
	}
	const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-npm-cache-'));
	return {
		registry,
		proxy: vendors.proxy,
		env: { ...vendors.env, npm_config_cache: cache, npm_config_registry: `https://${REGISTRY_HOST}/` },
		async stop() {
			await vendors.stop();
			await registry.stop();
			fs.rmSync(cache, { recursive: true, force: true });
		},
	};
}

/**
 * The packed package and, in `folder`, the same package under the next patch version (for an
 * update): `{ versionA, tarballA, versionB, tarballB }`.
 */
export function packedWithNextPatch(tarballA, folder) {
	const versionA = readPackedManifest(fs.readFileSync(tarballA)).version;
	const versionB = versionA.split('-')[0].replace(/\d+$/, (patch) => String(Number(patch) + 1));
	return { versionA, tarballA, versionB, tarballB: repackWithVersion(tarballA, versionB, folder) };
}
