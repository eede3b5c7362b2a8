// A STAND-IN for Salesforce's API, not Salesforce: it answers the OAuth 2.0 token calls of n8n's
// Salesforce credentials (JWT bearer; authorization code with PKCE and refresh) and the REST calls
// n8n's Salesforce node makes for sObjects (create, get, update, delete, upsert by External ID) and
// SOQL queries, as Salesforce documents them. See README.md beside this file for the list.
//
//   const keys = makeKeyPair();
//   const sf = await startSalesforceStandIn({ instanceHost: 'appdirect-test.my.salesforce.com',
//     connectedApp: { clientId: 'n8n-test', publicKey: keys.publicKey }, username: 'sync@example.com',
//     objects: { Account: { customFields: ['AppDirect_Id__c'], externalIds: ['AppDirect_Id__c'] } } });
//   sf.url      // http://127.0.0.1:<port>; the proxy sends login.salesforce.com and the instance host here
//   sf.calls    // every call: host, method, path, query, body, status
//   await sf.stop();
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import http from 'node:http';

import { parseSoql, SoqlError } from './soql.mjs';
import { listenOnLoopback } from './loopback.mjs';

export const LOGIN_HOST = 'login.salesforce.com';
export const SANDBOX_LOGIN_HOST = 'test.salesforce.com';
const ORG_ID = '00D5g000004ABCDEAA';
const USER_ID = '0055g00000ABCDEAA2';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Standard fields a record of each object may carry (those n8n's node writes, and system fields). */
const STANDARD_FIELDS = {
	Account: [
		'Id', 'Name', 'Type', 'Phone', 'Fax', 'Website', 'Industry', 'Jigsaw', 'OwnerId', 'SicDesc', 'AccountSource',
		'AnnualRevenue', 'Description', 'NumberOfEmployees', 'ParentId', 'RecordTypeId', 'BillingStreet', 'BillingCity',
		'BillingState', 'BillingPostalCode', 'BillingCountry', 'ShippingStreet', 'ShippingCity', 'ShippingState',
		'ShippingPostalCode', 'ShippingCountry', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted',
	],
	Contact: [
		'Id', 'FirstName', 'LastName', 'Name', 'Email', 'Phone', 'MobilePhone', 'Title', 'AccountId', 'Department',
		'Description', 'OwnerId', 'LeadSource', 'MailingStreet', 'MailingCity', 'MailingState', 'MailingPostalCode',
		'MailingCountry', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted',
	],
	Opportunity: [
		'Id', 'Name', 'StageName', 'CloseDate', 'Amount', 'AccountId', 'Type', 'Probability', 'Description', 'OwnerId',
		'LeadSource', 'NextStep', 'ForecastCategoryName', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted',
	],
};
const REQUIRED = { Account: ['Name'], Contact: ['LastName'], Opportunity: ['Name', 'StageName', 'CloseDate'] };
const KEY_PREFIX = { Account: '001', Contact: '003', Opportunity: '006' };
const SYSTEM_FIELDS = new Set(['Id', 'Name', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted']);

/** An RSA key pair (PEM) for the JWT bearer flow: the private key goes into n8n's credential. */
export function makeKeyPair() {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
	});
	return { publicKey, privateKey };
}

/** Salesforce's 18-character id: the 15-character id plus its case-safe checksum. */
export function salesforceId(prefix, counter) {
	const base = `${prefix}5g00000${String(counter).padStart(5, '0')}`;
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
	let suffix = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		let bits = 0;
		for (let i = 0; i < 5; i++) if (/[A-Z]/.test(base[chunk * 5 + i])) bits |= 1 << i;
		suffix += alphabet[bits];
	}
	return base + suffix;
}

class SalesforceError extends Error {
	constructor(status, body) {
		super(JSON.stringify(body));
		this.status = status;
		this.body = body;
	}
}

/** REST errors are a list of { message, errorCode, fields }. */
const restError = (status, errorCode, message, fields) => new SalesforceError(status, [{ message, errorCode, ...(fields && { fields }) }]);
/** OAuth errors are { error, error_description }. */
const oauthError = (status, error, description) => new SalesforceError(status, { error, error_description: description });

const base64url = (buffer) => Buffer.from(buffer).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64url = (text) => Buffer.from(String(text).replace(/-/g, '+').replace(/_/g, '/'), 'base64');

export async function startSalesforceStandIn({
	instanceHost,
	connectedApp,
	username,
	objects = {},
	callbackUrls,
	port = 0,
} = {}) {
	if (!instanceHost || !connectedApp?.clientId || !username) {
		throw new Error('startSalesforceStandIn needs instanceHost, connectedApp.clientId and username');
	}
	const instanceUrl = `https://${instanceHost}`;
	const publicKey = connectedApp.publicKey ? createPublicKey(connectedApp.publicKey) : undefined;
	const calls = [];
	const tokens = new Map();
	const refreshTokens = new Set();
	const codes = new Map();
	let counter = 1;

	// Schema: object name (canonical case) → { fields: Map(lower → canonical), externalIds: Set(canonical) }.
	const schema = new Map();
	for (const [name, fields] of Object.entries(STANDARD_FIELDS)) {
		const extra = objects[name] ?? {};
		const all = [...fields, ...(extra.customFields ?? [])];
		schema.set(name.toLowerCase(), {
			name,
			fields: new Map(all.map((field) => [field.toLowerCase(), field])),
			externalIds: new Set((extra.externalIds ?? []).map((field) => all.find((f) => f.toLowerCase() === field.toLowerCase()) ?? field)),
		});
	}
	const store = new Map([...schema.values()].map(({ name }) => [name, new Map()]));

	function objectOf(raw) {
		const entry = schema.get(String(raw).toLowerCase());
		if (!entry) throw restError(404, 'NOT_FOUND', `The requested resource does not exist`);
		return entry;
	}

	function fieldOf(entry, raw) {
		const field = entry.fields.get(String(raw).toLowerCase());
		if (!field) throw restError(400, 'INVALID_FIELD', `No such column '${raw}' on sobject of type ${entry.name}`);
		return field;
	}

	/** Body → canonical field names; refuses unknown and read-only fields, and duplicate external ids. */
	function values(entry, body, ownId) {
		if (!body || typeof body !== 'object' || Array.isArray(body)) throw restError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
		const clean = {};
		for (const [raw, value] of Object.entries(body)) {
			if (raw === 'attributes') continue;
			const field = fieldOf(entry, raw);
			if (SYSTEM_FIELDS.has(field) && !(field === 'Name' && entry.name !== 'Contact')) {
				throw restError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [field]);
			}
			clean[field] = value;
		}
		for (const field of entry.externalIds) {
			const value = clean[field];
			if (value === undefined || value === null || value === '') continue;
			const holder = [...store.get(entry.name).values()].find((record) => record.Id !== ownId && String(record[field]).toLowerCase() === String(value).toLowerCase());
			if (holder) throw restError(400, 'DUPLICATE_VALUE', `duplicate value found: ${field} duplicates value on record with id: ${holder.Id}`, []);
		}
		return clean;
	}

	function insert(entry, body) {
		const clean = values(entry, body);
		const missing = (REQUIRED[entry.name] ?? []).filter((field) => clean[field] === undefined || clean[field] === null || clean[field] === '');
		if (missing.length) throw restError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
		const now = new Date().toISOString().replace('Z', '+0000');
		const record = { Id: salesforceId(KEY_PREFIX[entry.name], counter++), ...clean, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now, IsDeleted: false };
		if (entry.name === 'Contact') record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
		store.get(entry.name).set(record.Id, record);
		return record;
	}

	function change(entry, record, body) {
		Object.assign(record, values(entry, body, record.Id));
		const now = new Date().toISOString().replace('Z', '+0000');
		record.LastModifiedDate = now;
		record.SystemModstamp = now;
		if (entry.name === 'Contact') record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
	}

	function byId(entry, id) {
		const record = store.get(entry.name).get(id) ?? [...store.get(entry.name).values()].find((r) => r.Id.slice(0, 15) === String(id).slice(0, 15));
		if (!record) throw restError(404, 'NOT_FOUND', 'The requested resource does not exist');
		return record;
	}

	function byExternalId(entry, rawField, value) {
		const field = entry.fields.get(String(rawField).toLowerCase());
		if (!field || !entry.externalIds.has(field)) {
			throw restError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${rawField}`);
		}
		return { field, matches: [...store.get(entry.name).values()].filter((record) => String(record[field] ?? '').toLowerCase() === String(value).toLowerCase()) };
	}

	const attributes = (entry, record, version) => ({ type: entry.name, url: `/services/data/${version}/sobjects/${entry.name}/${record.Id}` });

	function query(text, version) {
		let parsed;
		try {
			parsed = parseSoql(text);
		} catch (error) {
			if (error instanceof SoqlError) throw restError(400, error.errorCode, `${text}\n${error.message}`);
			throw error;
		}
		const entry = schema.get(parsed.object.toLowerCase());
		if (!entry) throw restError(400, 'INVALID_TYPE', `sObject type '${parsed.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`);
		const column = (raw) => {
			const field = entry.fields.get(raw.toLowerCase());
			if (!field) throw restError(400, 'INVALID_FIELD', `No such column '${raw}' on entity '${entry.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
			return field;
		};
		const fields = parsed.fields.map(column);
		const conditions = parsed.conditions.map((condition) => ({ ...condition, field: column(condition.field) }));
		const same = (actual, expected) => {
			if (expected === null) return actual === undefined || actual === null;
			if (actual === undefined || actual === null) return false;
			return typeof expected === 'string' ? String(actual).toLowerCase() === expected.toLowerCase() : actual === expected;
		};
		let records = [...store.get(entry.name).values()].filter((record) =>
			conditions.every(({ field, operator, value }) => (operator === '=' ? same(record[field], value) : !same(record[field], value))),
		);
		if (parsed.limit !== undefined) records = records.slice(0, parsed.limit);
		return {
			totalSize: records.length,
			done: true,
			records: records.map((record) => ({
				attributes: attributes(entry, record, version),
				...Object.fromEntries(fields.map((field) => [field, record[field] ?? null])),
			})),
		};
	}

	// --- OAuth 2.0 ---
	function issueToken({ refresh = false } = {}) {
		const accessToken = `${ORG_ID}!${base64url(randomBytes(32))}`;
		tokens.set(accessToken, { username, issuedAt: Date.now() });
		const answer = {
			access_token: accessToken,
			scope: refresh ? 'refresh_token full' : 'api',
			instance_url: instanceUrl,
			id: `https://${LOGIN_HOST}/id/${ORG_ID}/${USER_ID}`,
			token_type: 'Bearer',
			issued_at: String(Date.now()),
		};
		if (refresh) {
			const refreshToken = `5Aep861${base64url(randomBytes(24))}`;
			refreshTokens.add(refreshToken);
			answer.refresh_token = refreshToken;
		}
		answer.signature = base64url(createHash('sha256').update(answer.id + answer.issued_at).digest());
		return answer;
	}

	/** The JWT bearer flow: an RS256 assertion signed with the connected app's certificate key. */
	function jwtBearer(assertion, host) {
		const parts = String(assertion ?? '').split('.');
		if (parts.length !== 3) throw oauthError(400, 'invalid_grant', 'invalid assertion');
		let header;
		let claims;
		try {
			header = JSON.parse(fromBase64url(parts[0]).toString('utf8'));
			claims = JSON.parse(fromBase64url(parts[1]).toString('utf8'));
		} catch {
			throw oauthError(400, 'invalid_grant', 'invalid assertion');
		}
		if (header.alg !== 'RS256') throw oauthError(400, 'invalid_grant', 'invalid assertion: only RS256 is accepted');
		if (claims.iss !== connectedApp.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
		if (!publicKey || !verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, fromBase64url(parts[2]))) {
			throw oauthError(400, 'invalid_grant', 'invalid assertion');
		}
		if (claims.aud !== `https://${host}`) throw oauthError(400, 'invalid_grant', 'audience is invalid');
		if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) throw oauthError(400, 'invalid_grant', 'expired authorization code');
		if (claims.sub !== username) throw oauthError(400, 'invalid_grant', 'user hasn\'t approved this consumer');
		return issueToken();
	}

	function clientMatches(form, headers) {
		let id = form.get('client_id');
		let secret = form.get('client_secret');
		const basic = /^Basic (.+)$/i.exec(headers.authorization ?? '');
		if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(/:(.*)/s);
		if (id !== connectedApp.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
		if (connectedApp.clientSecret !== undefined && secret !== undefined && secret !== null && secret !== connectedApp.clientSecret) {
			throw oauthError(400, 'invalid_client', 'invalid client credentials');
		}
	}

	function tokenEndpoint(form, headers, host) {
		const grant = form.get('grant_type');
		if (grant === JWT_BEARER) return jwtBearer(form.get('assertion'), host);
		if (grant === 'authorization_code') {
			clientMatches(form, headers);
			const code = codes.get(form.get('code'));
			codes.delete(form.get('code'));
			if (!code || code.redirectUri !== form.get('redirect_uri')) throw oauthError(400, 'invalid_grant', 'authentication failure');
			if (code.challenge) {
				const verifier = form.get('code_verifier') ?? '';
				if (base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) throw oauthError(400, 'invalid_grant', 'invalid code verifier');
			}
			return issueToken({ refresh: true });
		}
		if (grant === 'refresh_token') {
			clientMatches(form, headers);
			if (!refreshTokens.has(form.get('refresh_token'))) throw oauthError(400, 'invalid_grant', 'expired access/refresh token');
			// A refresh answers a new access token only; the refresh token stays the same.
			return issueToken();
		}
		throw oauthError(400, 'unsupported_grant_type', 'grant type not supported');
	}

	/** The authorization page, approved at once for the configured user: redirects with a code. */
	function authorize(query) {
		if (query.get('response_type') !== 'code') throw oauthError(400, 'unsupported_response_type', 'response type not supported');
		if (query.get('client_id') !== connectedApp.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
		const redirectUri = query.get('redirect_uri');
		if (!redirectUri || (callbackUrls && !callbackUrls.includes(redirectUri))) throw oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
		const challenge = query.get('code_challenge');
		if (challenge && query.get('code_challenge_method') !== 'S256') throw oauthError(400, 'invalid_request', 'code_challenge_method must be S256');
		const code = `aPrx${base64url(randomBytes(24))}`;
		codes.set(code, { redirectUri, challenge });
		const location = new URL(redirectUri);
		location.searchParams.set('code', code);
		if (query.get('state') !== null) location.searchParams.set('state', query.get('state'));
		return location.toString();
	}

	function session(headers) {
		const bearer = /^(?:Bearer|OAuth) (.+)$/i.exec(headers.authorization ?? '')?.[1];
		if (!bearer || !tokens.has(bearer)) throw restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
		return tokens.get(bearer);
	}

	// --- REST routes under /services/data/vXX.X ---
	function data(method, rest, url, body, res, version) {
		let m;
		if (method === 'GET' && rest === '/query') {
			const q = url.searchParams.get('q');
			if (q === null) throw restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
			return query(q, version);
		}
		if ((m = /^\/sobjects\/(\w+)\/?$/.exec(rest))) {
			const entry = objectOf(m[1]);
			if (method === 'POST') {
				res.statusCode = 201;
				return { id: insert(entry, body).Id, success: true, errors: [] };
			}
			if (method === 'GET') {
				return { objectDescribe: { name: entry.name, label: entry.name, createable: true, updateable: true, queryable: true }, recentItems: [] };
			}
		}
		if ((m = /^\/sobjects\/(\w+)\/describe\/?$/.exec(rest)) && method === 'GET') {
			// What the editor's field lists read (the node's load-options methods).
			const entry = objectOf(m[1]);
			return {
				name: entry.name,
				label: entry.name,
				custom: false,
				fields: [...entry.fields.values()].map((field) => ({
					name: field,
					label: field.replace(/__c$/, '').replace(/_/g, ' '),
					type: field === 'Id' ? 'id' : 'string',
					custom: field.endsWith('__c'),
					externalId: entry.externalIds.has(field),
					idLookup: field === 'Id' || entry.externalIds.has(field),
					unique: entry.externalIds.has(field),
					nillable: !(REQUIRED[entry.name] ?? []).includes(field) && field !== 'Id',
					createable: !SYSTEM_FIELDS.has(field) || (field === 'Name' && entry.name !== 'Contact'),
					updateable: !SYSTEM_FIELDS.has(field) || (field === 'Name' && entry.name !== 'Contact'),
				})),
			};
		}
		if ((m = /^\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/.exec(rest))) {
			const entry = objectOf(m[1]);
			const value = decodeURIComponent(m[3]);
			const { field, matches } = byExternalId(entry, m[2], value);
			if (method === 'GET') {
				if (!matches.length) throw restError(404, 'NOT_FOUND', 'The requested resource does not exist');
				return { attributes: attributes(entry, matches[0], version), ...matches[0] };
			}
			if (method === 'PATCH') {
				if (body && Object.keys(body).some((key) => key.toLowerCase() === field.toLowerCase())) {
					// Salesforce refuses the field in the body when it differs from the URL's value.
					const given = Object.entries(body).find(([key]) => key.toLowerCase() === field.toLowerCase())[1];
					if (String(given) !== value) throw restError(400, 'INVALID_FIELD', `The value of the external ID field in the body (${given}) does not match the URL (${value})`);
				}
				if (matches.length > 1) {
					res.statusCode = 300;
					return matches.map((record) => `/services/data/${version}/sobjects/${entry.name}/${record.Id}`);
				}
				const newer = Number(version.slice(1)) >= 46;
				if (matches.length === 1) {
					change(entry, matches[0], body ?? {});
					res.statusCode = newer ? 200 : 204;
					return newer ? { id: matches[0].Id, success: true, errors: [], created: false } : undefined;
				}
				const record = insert(entry, { ...body, [field]: value });
				res.statusCode = 201;
				return { id: record.Id, success: true, errors: [], ...(newer && { created: true }) };
			}
		}
		if ((m = /^\/sobjects\/(\w+)\/(\w{15}|\w{18})$/.exec(rest))) {
			const entry = objectOf(m[1]);
			const record = byId(entry, m[2]);
			if (method === 'GET') {
				const wanted = url.searchParams.get('fields');
				const fields = wanted ? wanted.split(',').map((f) => fieldOf(entry, f.trim())) : Object.keys(record);
				return { attributes: attributes(entry, record, version), ...Object.fromEntries(fields.map((f) => [f, record[f] ?? null])) };
			}
			if (method === 'PATCH') {
				change(entry, record, body ?? {});
				res.statusCode = 204;
				return undefined;
			}
			if (method === 'DELETE') {
				store.get(entry.name).delete(record.Id);
				res.statusCode = 204;
				return undefined;
			}
		}
		throw restError(404, 'NOT_FOUND', 'The requested resource does not exist');
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
			const url = new URL(req.url, `https://${host || LOGIN_HOST}`);
			const text = Buffer.concat(chunks).toString('utf8');
			const call = { host, method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, status: 0, at: new Date().toISOString() };
			calls.push(call);
			const send = (status, payload, headers = {}) => {
				call.status = status;
				call.answer = payload;
				if (payload === undefined) {
					res.writeHead(status, headers).end();
					return;
				}
				const json = JSON.stringify(payload);
				res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(json), ...headers });
				res.end(json);
			};
			try {
				const isForm = /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
				if (text) {
					if (isForm) call.body = Object.fromEntries(new URLSearchParams(text));
					else {
						try {
							call.body = JSON.parse(text);
						} catch {
							call.body = text;
							throw restError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
						}
					}
				}
				const isLoginHost = host === LOGIN_HOST || host === SANDBOX_LOGIN_HOST || host === instanceHost;
				if (url.pathname === '/services/oauth2/token' && req.method === 'POST' && isLoginHost) {
					send(200, tokenEndpoint(new URLSearchParams(isForm ? text : ''), req.headers, host));
					return;
				}
				if (url.pathname === '/services/oauth2/authorize' && req.method === 'GET' && isLoginHost) {
					const location = authorize(url.searchParams);
					send(302, undefined, { location });
					return;
				}
				if (url.pathname === '/services/oauth2/userinfo' && req.method === 'GET' && isLoginHost) {
					const who = session(req.headers);
					send(200, { sub: `https://${LOGIN_HOST}/id/${ORG_ID}/${USER_ID}`, user_id: USER_ID, organization_id: ORG_ID, preferred_username: who.username, email: who.username });
					return;
				}
				const version = /^\/services\/data\/(v\d{2}\.\d)(\/.*)$/.exec(url.pathname);
				if (version && host === instanceHost) {
					session(req.headers);
					res.statusCode = 200;
					const payload = data(req.method, version[2], url, call.body, res, version[1]);
					send(res.statusCode, payload);
					return;
				}
				throw restError(404, 'NOT_FOUND', `The requested resource does not exist (${req.method} ${host}${url.pathname})`);
			} catch (error) {
				if (error instanceof SalesforceError) send(error.status, error.body);
				else send(500, [{ message: error.message, errorCode: 'UNKNOWN_EXCEPTION' }]);
			}
		});
	});

	const listening = await listenOnLoopback(server, port);
	return {
		url: listening.url,
		port: listening.port,
		instanceHost,
		instanceUrl,
		hosts: [LOGIN_HOST, SANDBOX_LOGIN_HOST, instanceHost],
		calls,
		/** The stored records of one object (copies). */
		records(object) {
			return [...store.get(objectOf(object).name).values()].map((record) => ({ ...record }));
		},
		/** Every access token issued so far stops working (as when a session expires). */
		expireTokens() {
			tokens.clear();
		},
		stop: listening.close,
	};
}
