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
//   api.seed({ companies: 2000 }); api.rateLimit(true); api.onListPage(hook)   // lists: listing.mjs
//   await api.close();
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findList, leakyBucket, listPage } from './listing.mjs';
import { classify, listItem, seedMarketplace } from './marketplace.mjs';

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
 *   marketplace           also a made-up marketplace: { companies, usersPerCompany = 5,
 *                         subscriptionsPerCompany = 2, invoicesPerCompany = 1 } (see marketplace.mjs)
 *   rateLimit             AppDirect's leaky bucket on /api/: true or { size = 20, perSecond = 5,
 *                         retryAfter = true } answers 429 past it [false: no limit]
 *   maxPageSize           refuse a larger size/count with 400 [none: AppDirect documents none]
 *   totalCount            X-Total-Count on start/count lists: 'documented' | 'always' | 'never'
 *                         ['documented', which is none of the lists served]
 *   now                   the clock, epoch ms [Date.now]
 *   port, host            where to listen [0 = a free port, 127.0.0.1]
 */
export async function startAppDirectApi(options = {}) {
	const {
		clients = [],
		tokenLifetimeSeconds = TOKEN_LIFETIME_SECONDS,
		seed = true,
		marketplace,
		rateLimit = false,
		now = Date.now,
		port = 0,
		host = '127.0.0.1',
	} = options;
	const listOptions = { maxPageSize: options.maxPageSize, totalCount: options.totalCount ?? 'documented' };
	const resources = new Map();
	/** Stored resources by type (USER, COMPANY, …): path → { path, ids, content, modified }, for the lists. */
	const byType = new Map();
	let bucket;
	let retryAfter = true;
	let onListPage;
	/** Answers set by a test for a path, instead of the resource: { status, body, headers }. */
	const overrides = new Map();
	const tokens = new Map();
	const requests = [];
	let origin = '';

	/** Keeps a resource at its path; `modified` is what `lastModified` filters compare with. */
	function store(path, content, modified = now()) {
		resources.set(path, content);
		const kind = classify(path);
		if (!kind) return;
		if (!byType.has(kind.type)) byType.set(kind.type, new Map());
		byType.get(kind.type).set(path, { path, ids: kind.ids, content, modified });
	}

	function drop(path) {
		resources.delete(path);
		const kind = classify(path);
		if (kind) byType.get(kind.type)?.delete(path);
	}

	function setRateLimit(setting) {
		if (!setting) {
			bucket = undefined;
			return;
		}
		const { retryAfter: sendRetryAfter = true, ...shape } = setting === true ? {} : setting;
		bucket = leakyBucket(shape);
		retryAfter = sendRetryAfter;
	}
	setRateLimit(rateLimit);

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
			if (url.pathname.startsWith('/api/')) {
				const admission = bucket?.take(now());
				if (admission && !admission.admitted) {
					// Retry-After in whole seconds (RFC 9110), so at least 1.
					const headers = retryAfter ? { 'retry-after': String(Math.max(1, Math.ceil(admission.waitMs / 1000))) } : {};
					return send(429, { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' }, headers);
				}
				return resource(request, url, send);
			}
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
		const accessToken = issue(client.clientId, requested.join(' '));
		// No refresh_token: the client-credentials grant has none.
		return send(200, { access_token: accessToken, token_type: 'bearer', expires_in: tokenLifetimeSeconds, scope: requested.join(' ') });
	}

	function issue(clientId, scope) {
		const accessToken = randomBytes(15).toString('base64url');
		tokens.set(accessToken, { clientId, scope, expiresAt: Date.now() + tokenLifetimeSeconds * 1000 });
		return accessToken;
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
		const found = findList(path);
		if (found) return list(found, url, send);
		if (!resources.has(path)) return send(404, { code: 'NOT_FOUND', message: `Resource not found: ${path}` });
		return send(200, resources.get(path));
	}

	// A list endpoint (listing.mjs): users, companies, a company's memberships, subscriptions, invoices.
	function list({ list: shape, companyId }, url, send) {
		if (companyId && !resources.has(`/api/account/v1/companies/${companyId}`)) {
			return send(404, { code: 'NOT_FOUND', message: `Company not found: ${companyId}` });
		}
		const items = [...(byType.get(shape.type)?.values() ?? [])];
		const show = (item) => listItem(shape.type, item.content, { origin, path: item.path, list: shape.list, store: resources });
		const page = listPage(shape, companyId, url.searchParams, items, show, listOptions);
		send(page.status, page.body, page.headers);
		// After the answer: what the hook changes shows on the next page, as on a live marketplace.
		onListPage?.({ list: shape.name, path: url.pathname, query: Object.fromEntries(url.searchParams), companyId, status: page.status });
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
		if (action === 'seed' && request.method === 'POST') {
			api.seed(JSON.parse(body || '{}'));
			return send(204);
		}
		if (action === 'rate-limit' && request.method === 'PUT') {
			api.rateLimit(JSON.parse(body || 'true'));
			return send(204);
		}
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
		/** Adds or replaces a resource; lists see it as modified now (or at `modified`, epoch ms). */
		setResource(urlOrPath, content, modified) {
			store(pathOf(urlOrPath), structuredClone(content), modified);
		},
		/** After this, the resource's URL answers 404 and lists leave it out, as AppDirect does for a removed resource. */
		removeResource(urlOrPath) {
			drop(pathOf(urlOrPath));
		},
		/** Adds a made-up marketplace's companies (marketplace.mjs); `from` numbers them after earlier ones. */
		seed(marketplaceOptions) {
			let count = 0;
			for (const entry of seedMarketplace({ ...marketplaceOptions, origin })) {
				store(entry.path, entry.content, entry.modified);
				count++;
			}
			return count;
		},
		/** Paths of the stored resources of a type (USER, COMPANY, MEMBERSHIP, SUBSCRIPTION, INVOICE). */
		paths(type) {
			return [...(byType.get(type)?.keys() ?? [])];
		},
		/** When lists consider a resource modified, epoch ms. */
		modifiedAt(urlOrPath) {
			for (const items of byType.values()) {
				const item = items.get(pathOf(urlOrPath));
				if (item) return item.modified;
			}
			return undefined;
		},
		/** AppDirect's bucket: true, { size, perSecond, retryAfter }, or false to switch it off. */
		rateLimit(setting) {
			setRateLimit(setting);
		},
		/** { maxPageSize, totalCount } for the lists, as the options of the same names. */
		configureLists(settings) {
			Object.assign(listOptions, settings);
		},
		/**
		 * Called after each list page is sent with { list, path, query, companyId, status }: change
		 * resources there to see what a listing sees on a live marketplace. null removes it.
		 */
		onListPage(hook) {
			onListPage = hook ?? undefined;
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
		/** A valid access token without the token request, for tests about other requests. */
		issueToken(clientId = 'test', scope = 'ROLE_PARTNER_READ') {
			return issue(clientId, scope);
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
			store(path, content);
		}
	}
	if (marketplace) api.seed(marketplace);
	return api;
}

// By hand: node scripts/appdirect-api/server.mjs [--port 8090] [--client-id …] [--client-secret …]
//   [--companies 2000 [--users-per-company 5]] [--rate-limit]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: '8090' },
			'client-id': { type: 'string', default: 'n8n-demo' },
			'client-secret': { type: 'string', default: randomBytes(12).toString('hex') },
			'token-lifetime': { type: 'string', default: String(TOKEN_LIFETIME_SECONDS) },
			companies: { type: 'string', default: '0' },
			'users-per-company': { type: 'string', default: '5' },
			'rate-limit': { type: 'boolean', default: false },
		},
	});
	const companies = Number(values.companies);
	const api = await startAppDirectApi({
		port: Number(values.port),
		tokenLifetimeSeconds: Number(values['token-lifetime']),
		clients: [{ clientId: values['client-id'], clientSecret: values['client-secret'] }],
		marketplace: companies > 0 ? { companies, usersPerCompany: Number(values['users-per-company']) } : undefined,
		rateLimit: values['rate-limit'],
	});
	console.log(`AppDirect API stand-in (not AppDirect) on ${api.url}`);
	console.log(`Client ID: ${values['client-id']}\nClient secret: ${values['client-secret']}`);
	console.log(`Try: ${api.url}/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00 (with a token from ${api.url}/oauth2/token)`);
	const stop = () => api.close().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}
