#!/usr/bin/env node
// A local stand-in for the parts of AppDirect's API the AppDirect node uses, for tests and the
// demo. It follows AppDirect's public documentation (OAuth 2.0 client credentials at
// /oauth2/token; a GET on a notification's resource URL returns the resource); it is NOT AppDirect
// and knows nothing AppDirect does not document. See README.md beside this file.
//
//   const api = await startAppDirectApi({ clients: [{ clientId: 'id', clientSecret: 'secret' }] });
//   api.url                                   // http://127.0.0.1:<port>, the "marketplace"
//   api.notification('subscription.changed')  // a sample notification whose URLs point here
//   api.setResource(url, content); api.removeResource(url); api.expireTokens();
//   api.requests                              // every request: method, path, credentials kind, status
//   await api.close();
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { sampleNotification, sampleTypes } = require('../../samples/index.js');

/** The only scopes AppDirect allows for the client-credentials grant. */
export const SCOPES = ['ROLE_PARTNER_READ', 'ROLE_PARTNER'];

/** AppDirect's sample answer says 43199 seconds (12 hours). */
export const TOKEN_LIFETIME_SECONDS = 43199;

/** Where the samples say the marketplace is; rewritten to the stand-in's own address. */
export const SAMPLE_ORIGIN = 'https://marketplace.example.com';

const CONTROL_PREFIX = '/__standin/';

/** Every string in `value` that starts with `from` now starts with `to` (links inside resources). */
function rebase(value, from, to) {
	if (typeof value === 'string') return value.startsWith(from) ? to + value.slice(from.length) : value;
	if (Array.isArray(value)) return value.map((entry) => rebase(entry, from, to));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, rebase(entry, from, to)]));
	}
	return value;
}

/**
 * AppDirect's documentation: a catalog product's GET returns the REST product definition, not the
 * notification's content. The same facts, in the shape of the product listing.
 */
export function productDefinition(content, origin) {
	const application = content?.application ?? {};
	return {
		id: application.id,
		uuid: application.uuid,
		name: application.name,
		vendorName: application.vendor?.name,
		blurb: application.listing?.blurb,
		href: `${origin}/api/marketplace/v1/products/${application.id}`,
		links: [{ rel: 'self', href: `${origin}/api/marketplace/v1/products/${application.id}` }],
	};
}

/** The path (no trailing slash) that identifies a resource, from a URL or a path. */
function pathOf(urlOrPath) {
	const path = new URL(urlOrPath, 'http://stand-in').pathname;
	return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function readBody(request) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function basicCredentials(header) {
	const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon === -1 ? undefined : { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/**
 * Starts the stand-in on a free port (or `port`) of 127.0.0.1.
 *
 * options:
 *   clients               [{ clientId, clientSecret, scopes = SCOPES }] allowed to get tokens
 *   tokenLifetimeSeconds  expires_in of new tokens [43199]
 *   seed                  serve the samples' resources [true]
 *   port, host            where to listen [0 = a free port, 127.0.0.1]
 */
export async function startAppDirectApi(options = {}) {
	const {
		clients = [],
		tokenLifetimeSeconds = TOKEN_LIFETIME_SECONDS,
		seed = true,
		port = 0,
		host = '127.0.0.1',
	} = options;
	const resources = new Map();
	/** Answers set by a test for a path, instead of the resource: { status, body, headers }. */
	const overrides = new Map();
	const tokens = new Map();
	const requests = [];
	let origin = '';

	const server = http.createServer(async (request, response) => {
		const url = new URL(request.url, 'http://stand-in');
		const entry = { at: new Date().toISOString(), method: request.method, path: url.pathname, query: url.search, credentials: 'none', status: 0 };
		const authorization = request.headers.authorization ?? '';
		if (/^Basic\s/i.test(authorization)) entry.credentials = 'basic';
		else if (/^Bearer\s/i.test(authorization)) entry.credentials = 'bearer';
		if (!url.pathname.startsWith(CONTROL_PREFIX)) requests.push(entry);

		/** JSON `body`, or with `html` that text as a web page (what a wrong address may answer). */
		const send = (status, body, headers = {}, html = undefined) => {
			entry.status = status;
			const type =
				html !== undefined ? { 'content-type': 'text/html;charset=UTF-8' } : body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' };
			response.writeHead(status, { ...type, ...headers });
			response.end(html ?? (body === undefined ? '' : JSON.stringify(body)));
		};

		try {
			const body = await readBody(request);
			if (url.pathname === '/oauth2/token') return token(request, body, send);
			if (url.pathname.startsWith(CONTROL_PREFIX)) return control(request, url, body, send);
			if (url.pathname.startsWith('/api/')) return resource(request, url, send);
			return send(404, { code: 'NOT_FOUND', message: 'Not found' });
		} catch (error) {
			return send(500, { code: 'INTERNAL_ERROR', message: String(error?.message ?? error) });
		}
	});

	function token(request, body, send) {
		if (request.method !== 'POST') return send(405, { error: 'method_not_allowed', error_description: 'Use POST' });
		const presented = basicCredentials(request.headers.authorization);
		const client = presented && clients.find((known) => known.clientId === presented.clientId);
		if (!client || client.clientSecret !== presented.clientSecret) {
			return send(
				401,
				{ error: 'invalid_client', error_description: 'Bad client credentials' },
				{ 'www-authenticate': 'Basic realm="oauth2/client"' },
			);
		}
		const form = new URLSearchParams(body);
		if (form.get('grant_type') !== 'client_credentials') {
			return send(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${form.get('grant_type') ?? '(none)'}` });
		}
		const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
		const allowed = client.scopes ?? SCOPES;
		if (requested.length === 0 || requested.some((scope) => !allowed.includes(scope))) {
			return send(400, { error: 'invalid_scope', error_description: `Invalid scope: ${requested.join(' ') || '(none)'}` });
		}
		const accessToken = randomBytes(15).toString('base64url');
		tokens.set(accessToken, { clientId: client.clientId, scope: requested.join(' '), expiresAt: Date.now() + tokenLifetimeSeconds * 1000 });
		// No refresh_token: the client-credentials grant has none.
		return send(200, { access_token: accessToken, token_type: 'bearer', expires_in: tokenLifetimeSeconds, scope: requested.join(' ') });
	}

	function resource(request, url, send) {
		const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
		if (!match) {
			return send(401, { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
		}
		const grant = tokens.get(match[1]);
		if (!grant) return send(401, { error: 'invalid_token', error_description: 'Invalid access token' });
		if (grant.expiresAt <= Date.now()) return send(401, { error: 'invalid_token', error_description: 'Access token expired' });
		if (request.method !== 'GET') return send(405, { code: 'METHOD_NOT_ALLOWED', message: 'The stand-in only reads' });

		const path = pathOf(url.pathname);
		const override = overrides.get(path);
		if (override) return send(override.status, override.body, override.headers, override.text);
		if (path === '/api/account/v2/companies') return send(200, companyPage(url));
		if (!resources.has(path)) return send(404, { code: 'NOT_FOUND', message: `Resource not found: ${path}` });
		return send(200, resources.get(path));
	}

	// "List all companies" (account v2), the read the credential test makes.
	function companyPage(url) {
		const companies = [...resources.entries()].filter(([path]) => /^\/api\/account\/v1\/companies\/[^/]+$/.test(path));
		const size = Math.max(1, Number(url.searchParams.get('size') ?? 50) || 50);
		const content = companies.slice(0, size).map(([, company]) => company);
		return { links: [], content, page: { size, totalElements: companies.length, totalPages: Math.ceil(companies.length / size), number: 0 } };
	}

	// For scripts in another process (the demo run by hand): change state over HTTP.
	function control(request, url, body, send) {
		const action = url.pathname.slice(CONTROL_PREFIX.length);
		const target = url.searchParams.get('path');
		if (action === 'resources' && request.method === 'PUT' && target) {
			api.setResource(target, JSON.parse(body));
			return send(204);
		}
		if (action === 'resources' && request.method === 'DELETE' && target) {
			api.removeResource(target);
			return send(204);
		}
		if (action === 'expire-tokens' && request.method === 'POST') {
			api.expireTokens();
			return send(204);
		}
		if (action === 'requests' && request.method === 'GET') return send(200, requests);
		return send(404, { code: 'NOT_FOUND', message: `Unknown control request ${request.method} ${url.pathname}` });
	}

	// Counted before any HTTP parsing: a refused URL must not even open a connection.
	let connections = 0;
	server.on('connection', () => {
		connections++;
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	origin = `http://${host}:${server.address().port}`;

	const api = {
		url: origin,
		port: server.address().port,
		/** Every request except control requests, oldest first. */
		requests,
		/** TCP connections accepted so far, whether or not an HTTP request followed. */
		get connections() {
			return connections;
		},
		/** The resource served at a path or URL, or undefined. */
		resource: (urlOrPath) => structuredClone(resources.get(pathOf(urlOrPath))),
		setResource(urlOrPath, content) {
			resources.set(pathOf(urlOrPath), structuredClone(content));
		},
		/** After this, the resource's URL answers 404, as AppDirect does for a removed resource. */
		removeResource(urlOrPath) {
			resources.delete(pathOf(urlOrPath));
		},
		/**
		 * Makes a path answer `{ status, body?, headers?, text? }` instead of the resource (`body` as
		 * JSON, `text` as HTML); `null` undoes it.
		 */
		answer(urlOrPath, answer) {
			if (answer === null) overrides.delete(pathOf(urlOrPath));
			else overrides.set(pathOf(urlOrPath), answer);
		},
		/** Every token issued so far is expired now, as 12 hours later. */
		expireTokens() {
			for (const grant of tokens.values()) grant.expiresAt = 0;
		},
		/** How many tokens were issued so far. */
		get tokensIssued() {
			return tokens.size;
		},
		/** The access tokens issued so far, for tests that look for leaks. */
		get accessTokens() {
			return [...tokens.keys()];
		},
		/** Requests with a given path (and method), e.g. to prove a URL was or was not read. */
		requestsTo(path, method) {
			return requests.filter((entry) => entry.path === path && (method === undefined || entry.method === method));
		},
		/** A sample notification (`subscription.changed`…) whose URLs point at this stand-in. */
		notification(event, sampleOptions) {
			return rebase(sampleNotification(event, sampleOptions), SAMPLE_ORIGIN, origin);
		},
		/** A copy of any notification (a demo story's, say) with the samples' marketplace URLs pointing here. */
		localise(notification) {
			return rebase(notification, SAMPLE_ORIGIN, origin);
		},
		close() {
			return new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			});
		},
	};

	if (seed) {
		// catalog_product sorts before staging_product: their shared URL serves the catalog product.
		for (const type of sampleTypes()) {
			const notification = api.notification(`${type}.added`);
			const path = pathOf(notification.resource.url);
			if (resources.has(path)) continue;
			const content =
				notification.resource.type === 'CATALOG_PRODUCT' ? productDefinition(notification.resource.content, origin) : notification.resource.content;
			resources.set(path, content);
		}
	}
	return api;
}

// By hand: node scripts/appdirect-api/server.mjs [--port 8090] [--client-id …] [--client-secret …]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: '8090' },
			'client-id': { type: 'string', default: 'n8n-demo' },
			'client-secret': { type: 'string', default: randomBytes(12).toString('hex') },
			'token-lifetime': { type: 'string', default: String(TOKEN_LIFETIME_SECONDS) },
		},
	});
	const api = await startAppDirectApi({
		port: Number(values.port),
		tokenLifetimeSeconds: Number(values['token-lifetime']),
		clients: [{ clientId: values['client-id'], clientSecret: values['client-secret'] }],
	});
	console.log(`AppDirect API stand-in (not AppDirect) on ${api.url}`);
	console.log(`Client ID: ${values['client-id']}\nClient secret: ${values['client-secret']}`);
	console.log(`Try: ${api.url}/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00 (with a token from ${api.url}/oauth2/token)`);
	const stop = () => api.close().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}
