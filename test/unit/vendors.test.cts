// The vendor stand-ins (scripts/vendors/) on their own: the test authority and the intercepting
// proxy (what it answers, what it refuses), the strict SOQL reader, and what the HubSpot and
// Salesforce stand-ins accept and refuse, each reached through the proxy as n8n reaches them.
import { execFile } from 'child_process';
import { createHash, createSign, generateKeyPairSync } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer, request as httpRequest, type Server } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { connect as tlsConnect } from 'tls';
import { importScript, repoRoot } from '../helpers/runtime.cjs';

let vendors: any;
let registry: Server;
const registryRequests: string[] = [];
let ca: Buffer;
let parseSoql: (text: string) => any;
let parseConnectTarget: (text: string) => any;
let send: (url: string, options?: Record<string, unknown>) => Promise<{ status: number; headers: Record<string, any>; text: string; json: any }>;

const TOKEN = 'pat-na1-unit-test';
const USER = 'sync@unit.example';
const CLIENT_ID = '3MVG9-unit-key';
const CLIENT_SECRET = 'unit-secret';
const INSTANCE = 'unit-test.my.salesforce.com';
const DATA = `https://${INSTANCE}/services/data/v59.0`;

beforeAll(async () => {
	const module = await importScript('scripts/vendors/index.mjs');
	({ parseSoql } = await importScript('scripts/vendors/soql.mjs'));
	({ parseConnectTarget } = await importScript('scripts/vendors/proxy.mjs'));
	// A registry that knows one package: enough to see where npm's requests go.
	registry = createServer((req, res) => {
		registryRequests.push(`${req.method} ${req.headers.host} ${req.url}`);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ name: 'n8n-nodes-appdirect', 'dist-tags': { latest: '9.9.9' }, versions: { '9.9.9': { name: 'n8n-nodes-appdirect', version: '9.9.9' } } }));
	});
	await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
	vendors = await module.startVendorStandIns({
		routes: { 'registry.npmjs.org': `http://127.0.0.1:${(registry.address() as { port: number }).port}` },
		hubspot: { token: TOKEN, properties: { companies: [{ name: 'appdirect_id', hasUniqueValue: true }], deals: [{ name: 'appdirect_id', hasUniqueValue: true }] } },
		salesforce: {
			instanceHost: INSTANCE,
			username: USER,
			connectedApp: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
			callbackUrls: ['http://127.0.0.1:5678/rest/oauth2-credential/callback'],
			objects: { Account: { customFields: ['AppDirect_Id__c', 'Plan__c'], externalIds: ['AppDirect_Id__c'] } },
		},
	});
	ca = readFileSync(vendors.authority.certificatePath);
	send = (url, options = {}) => module.requestThroughProxy({ proxyUrl: vendors.proxy.url, ca, url, ...options });
});

afterAll(async () => {
	await vendors?.stop();
	registry?.close();
});

const hubspot = (path: string, options: Record<string, unknown> = {}) =>
	send(`https://api.hubapi.com${path}`, { ...options, headers: { authorization: `Bearer ${TOKEN}`, ...(options.headers as object) } });

describe('the test proxy and authority', () => {
	test('reads CONNECT targets, IPv6 included, and nothing else', () => {
		expect(parseConnectTarget('api.hubapi.com:443')).toEqual({ host: 'api.hubapi.com', port: 443 });
		expect(parseConnectTarget('API.HubAPI.com:443')).toEqual({ host: 'api.hubapi.com', port: 443 });
		expect(parseConnectTarget('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
		for (const bad of ['api.hubapi.com', 'api.hubapi.com:0', 'api.hubapi.com:70000', '/path', '', 'a:b:443']) {
			expect(parseConnectTarget(bad)).toBeUndefined();
		}
	});

	test('answers a routed host over TLS with a certificate for that host, signed by the test authority', async () => {
		const peer = await new Promise<any>((resolve, reject) => {
			const proxy = new URL(vendors.proxy.url);
			const connect = httpRequest({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: 'login.salesforce.com:443' });
			connect.on('error', reject);
			connect.on('connect', (_answer, socket) => {
				const secure = tlsConnect({ socket, servername: 'login.salesforce.com', ca }, () => {
					resolve(secure.getPeerCertificate());
					secure.destroy();
				});
				secure.on('error', reject);
			});
			connect.end();
		});
		expect(peer.subjectaltname).toBe('DNS:login.salesforce.com');
		expect(peer.issuer.CN).toMatch(/test authority/);
	});

	test('a client that does not trust the test authority fails TLS: no certificate of it is trusted by default', async () => {
		const proxy = new URL(vendors.proxy.url);
		const error = await new Promise<Error>((resolve) => {
			const connect = httpRequest({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: 'api.hubapi.com:443' });
			connect.on('connect', (_answer, socket) => {
				const secure = tlsConnect({ socket, servername: 'api.hubapi.com' });
				secure.on('error', resolve);
				secure.on('secureConnect', () => resolve(new Error('connected without the test authority')));
			});
			connect.end();
		});
		expect(error.message).toMatch(/self[- ]signed|unable to (get|verify)|certificate/i);
	});

	test('refuses every other host, another port of a routed host, and plain-http requests; and records them', async () => {
		const before = vendors.proxy.refused.length;
		await expect(send('https://example.com/')).rejects.toMatchObject({ status: 403 });
		await expect(send('https://api.hubapi.com:8443/crm/v3/objects/companies')).rejects.toMatchObject({ status: 403 });
		const plain = await new Promise<number>((resolve, reject) => {
			const proxy = new URL(vendors.proxy.url);
			const req = httpRequest({ host: proxy.hostname, port: proxy.port, method: 'GET', path: 'http://api.hubapi.com/crm/v3/objects/companies' }, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			req.end();
		});
		expect(plain).toBe(403);
		expect(vendors.proxy.refused.slice(before).map((entry: any) => entry.target)).toEqual(['example.com:443', 'api.hubapi.com:8443', 'api.hubapi.com']);
	});
});

describe('npm through the proxy', () => {
	// npm's own settings would win over the environment; only the cache is set apart.
	function npm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
		const cache = mkdtempSync(join(tmpdir(), 'vendors-npm-cache-'));
		const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
		return new Promise((resolve) => {
			execFile('npm', [...args, '--fetch-retries=0', '--prefer-online'], { env: { ...env, ...vendors.env, npm_config_cache: cache }, timeout: 60_000 }, (error, stdout, stderr) => {
				rmSync(cache, { recursive: true, force: true });
				resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: stdout.trim(), stderr });
			});
		});
	}

	test("reaches the registry's host only through the proxy, and trusts the test authority", async () => {
		const answer = await npm(['view', 'n8n-nodes-appdirect', 'version', '--registry=https://registry.npmjs.org/']);
		expect(answer).toMatchObject({ code: 0, stdout: '9.9.9' });
		expect(registryRequests).toContain('GET registry.npmjs.org /n8n-nodes-appdirect');
	}, 60_000);

	test('another registry host is refused by the proxy', async () => {
		const before = vendors.proxy.refused.length;
		const answer = await npm(['view', 'n8n-nodes-appdirect', 'version', '--registry=https://registry.yarnpkg.com/']);
		expect(answer.code).not.toBe(0);
		expect(vendors.proxy.refused.slice(before).map((entry: any) => entry.target)).toContain('registry.yarnpkg.com:443');
	}, 60_000);
});

describe('the SOQL reader', () => {
	test("reads the shapes n8n's Salesforce node builds", () => {
		expect(parseSoql("SELECT id,name,type,LastModifiedDate FROM Account WHERE AppDirect_Id__c = 'ad-1' LIMIT 5")).toEqual({
			fields: ['id', 'name', 'type', 'LastModifiedDate'],
			object: 'Account',
			conditions: [{ field: 'AppDirect_Id__c', operator: '=', value: 'ad-1' }],
			limit: 5,
		});
		// No conditions: the node leaves two spaces before LIMIT.
		expect(parseSoql('SELECT Id FROM Account  LIMIT 0')).toMatchObject({ conditions: [], limit: 0 });
		expect(parseSoql("SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ Co' AND Plan__c != null AND NumberOfEmployees = 12").conditions).toEqual([
			{ field: 'Name', operator: '=', value: "O'Brien \\ Co" },
			{ field: 'Plan__c', operator: '!=', value: null },
			{ field: 'NumberOfEmployees', operator: '=', value: 12 },
		]);
	});

	test.each([
		["SELECT Id FROM Account WHERE Name LIKE 'A%'", /only = and !=/],
		["SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b'", /unexpected token: 'OR'/],
		['SELECT Id FROM Account ORDER BY Name', /unexpected token: 'ORDER'/],
		['SELECT Id FROM Account WHERE AppDirect_Id__c = ad-1', /quoted strings/],
		["SELECT Id FROM Account WHERE Name = 'open", /unterminated/],
		["SELECT Id FROM Account WHERE Name = 'a\\q'", /unknown escape/],
		['SELECT COUNT() FROM Account', /unexpected token '\('/],
		['SELECT Id, FROM Account', /expecting a field name/],
		['DELETE FROM Account', /expecting 'SELECT'/],
		['', /empty/],
	])('refuses %j', (query, message) => {
		expect(() => parseSoql(query)).toThrow(message);
		try {
			parseSoql(query);
		} catch (error) {
			expect((error as { errorCode: string }).errorCode).toBe('MALFORMED_QUERY');
		}
	});
});

describe('the HubSpot stand-in', () => {
	test('refuses a call without the private-app token, or with another one, with 401 and HubSpot\'s error body', async () => {
		for (const headers of [{}, { authorization: 'Bearer pat-na1-someone-else' }]) {
			const answer = await send('https://api.hubapi.com/crm/v3/objects/companies/search', { method: 'POST', headers, body: {} });
			expect(answer.status).toBe(401);
			expect(answer.json).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', correlationId: expect.any(String) });
		}
		expect(vendors.hubspot.records('companies')).toEqual([]);
	});

	test('a unique property refuses a second record with the same value (409 Conflict), on create and on update', async () => {
		const created = await hubspot('/companies/v2/companies', { method: 'POST', body: { properties: [{ name: 'name', value: 'Unique One' }, { name: 'appdirect_id', value: 'u-1' }] } });
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ portalId: expect.any(Number), companyId: expect.any(Number), properties: { appdirect_id: { value: 'u-1' } } });
		const again = await hubspot('/crm/v3/objects/companies', { method: 'POST', body: { properties: { name: 'Unique Two', appdirect_id: 'u-1' } } });
		expect(again.status).toBe(409);
		expect(again.json).toMatchObject({ status: 'error', category: 'CONFLICT', message: expect.stringContaining(`Existing ID: ${created.json.companyId}`) });
		const other = await hubspot('/crm/v3/objects/companies', { method: 'POST', body: { properties: { name: 'Unique Two', appdirect_id: 'u-2' } } });
		expect(other.status).toBe(201);
		const taken = await hubspot(`/companies/v2/companies/${other.json.id}`, { method: 'PUT', body: { properties: [{ name: 'appdirect_id', value: 'u-1' }] } });
		expect(taken.status).toBe(409);
		// Its own value again is no conflict.
		const same = await hubspot(`/crm/v3/objects/companies/u-2?idProperty=appdirect_id`, { method: 'PATCH', body: { properties: { appdirect_id: 'u-2', city: 'Montreal' } } });
		expect(same.status).toBe(200);
		expect(same.json.properties).toMatchObject({ appdirect_id: 'u-2', city: 'Montreal' });
	});

	test('refuses properties that do not exist, and reads by a property that is not unique', async () => {
		const unknown = await hubspot('/companies/v2/companies', { method: 'POST', body: { properties: [{ name: 'name', value: 'X' }, { name: 'appdirect_idd', value: '1' }] } });
		expect(unknown.status).toBe(400);
		expect(unknown.json).toMatchObject({ category: 'VALIDATION_ERROR', validationResults: [{ error: 'PROPERTY_DOESNT_EXIST', name: 'appdirect_idd' }] });
		expect((await hubspot('/crm/v3/objects/companies/x?idProperty=name')).status).toBe(400);
		expect((await hubspot('/crm/v3/objects/companies/99999999')).status).toBe(404);
	});

	test("search: HubSpot's filters, limits and paging, with n8n's extra sortBy and direction fields", async () => {
		for (const n of [1, 2, 3]) {
			await hubspot('/crm/v3/objects/deals', { method: 'POST', body: { properties: { dealname: `Deal ${n}`, amount: String(n * 100), appdirect_id: `d-${n}` } } });
		}
		const filters = (operator: string, value?: string) => ({ filterGroups: [{ filters: [{ propertyName: 'amount', operator, ...(value && { value }) }] }] });
		const search = (body: Record<string, unknown>) => hubspot('/crm/v3/objects/deals/search', { method: 'POST', body });
		expect((await search({ ...filters('GTE', '200'), sortBy: 'createdate', direction: 'DESCENDING' })).json.total).toBe(2);
		expect((await search(filters('EQ', '100'))).json.results.map((deal: any) => deal.properties.dealname)).toEqual(['Deal 1']);
		const page = await search({ ...filters('HAS_PROPERTY'), sorts: [{ propertyName: 'amount', direction: 'ASCENDING' }], limit: 2 });
		expect(page.json).toMatchObject({ total: 3, paging: { next: { after: '2' } } });
		const last = await search({ ...filters('HAS_PROPERTY'), sorts: [{ propertyName: 'amount', direction: 'ASCENDING' }], limit: 2, after: '2' });
		expect(last.json.results.map((deal: any) => deal.properties.amount)).toEqual(['300']);
		expect(last.json.paging).toBeUndefined();
		expect((await search(filters('LIKE', 'x'))).status).toBe(400);
		expect((await search({ filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: '1' }] }] })).status).toBe(400);
		expect((await search({ limit: 201 })).status).toBe(400);
	});

	test('contacts: create-or-update by email, and the v1 association with a company', async () => {
		const first = await hubspot('/contacts/v1/contact/createOrUpdate/email/grace@unit.example', { method: 'POST', body: { properties: [{ property: 'firstname', value: 'Grace' }] } });
		expect(first.json).toEqual({ vid: expect.any(Number), isNew: true });
		const second = await hubspot('/contacts/v1/contact/createOrUpdate/email/GRACE@unit.example', { method: 'POST', body: { properties: [{ property: 'lastname', value: 'Hopper' }] } });
		expect(second.json).toEqual({ vid: first.json.vid, isNew: false });
		const [company] = vendors.hubspot.records('companies');
		const associate = (definitionId: number) =>
			hubspot('/crm-associations/v1/associations/create-batch', { method: 'PUT', body: [{ fromObjectId: first.json.vid, toObjectId: Number(company.id), category: 'HUBSPOT_DEFINED', definitionId }] });
		expect((await associate(1)).status).toBe(204);
		expect((await associate(99)).status).toBe(400);
		const profile = await hubspot(`/contacts/v1/contact/vid/${first.json.vid}/profile`);
		expect(profile.json).toMatchObject({ vid: first.json.vid, properties: { firstname: { value: 'Grace' }, lastname: { value: 'Hopper' } }, 'associated-company': { 'company-id': Number(company.id) } });
		expect(vendors.hubspot.associations('companies', company.id, 'contacts')).toEqual([String(first.json.vid)]);
		expect((await hubspot('/contacts/v1/contact/createOrUpdate/email/not-an-email', { method: 'POST', body: { properties: [] } })).status).toBe(400);
	});

	test('deals: a deal cannot be associated with a company that does not exist', async () => {
		const answer = await hubspot('/deals/v1/deal', { method: 'POST', body: { properties: [{ name: 'dealname', value: 'Orphan' }], associations: { associatedCompanyIds: [424242] } } });
		expect(answer.status).toBe(404);
		expect(vendors.hubspot.records('deals').map((deal: any) => deal.properties.dealname)).not.toContain('Orphan');
	});

	test('records every call: method, path, query, body and status', () => {
		const call = vendors.hubspot.calls.find((entry: any) => entry.path === '/companies/v2/companies' && entry.status === 200);
		expect(call).toMatchObject({ method: 'POST', host: 'api.hubapi.com', query: {}, body: { properties: expect.any(Array) } });
	});
});

describe('the Salesforce stand-in', () => {
	const token = (form: Record<string, string>, host = 'login.salesforce.com', headers: Record<string, string> = {}) =>
		send(`https://${host}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

	function assertion(claims: Record<string, unknown>, key: string = vendors.keys.privateKey): string {
		const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
		const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
		return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
	}
	const claims = (extra: Record<string, unknown> = {}) => ({ iss: CLIENT_ID, sub: USER, aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 180, ...extra });
	const jwt = (extra: Record<string, unknown> = {}, key?: string) => token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion(claims(extra), key) });

	let bearer: Record<string, string>;

	test('JWT bearer flow: a signed assertion gets a token and the instance URL', async () => {
		const answer = await jwt();
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ access_token: expect.any(String), instance_url: `https://${INSTANCE}`, token_type: 'Bearer' });
		expect(answer.json.refresh_token).toBeUndefined();
		bearer = { authorization: `Bearer ${answer.json.access_token}` };
	});

	test.each([
		['another key', {}, 'other', 'invalid_grant'],
		['another audience', { aud: 'https://test.salesforce.com' }, undefined, 'invalid_grant'],
		['another client', { iss: 'someone-else' }, undefined, 'invalid_client_id'],
		['another user', { sub: 'other@unit.example' }, undefined, 'invalid_grant'],
		['an expired assertion', { exp: Math.floor(Date.now() / 1000) - 10 }, undefined, 'invalid_grant'],
	])('JWT bearer flow refuses %s', async (_what, extra, key, error) => {
		const other = key === 'other' ? generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }) : undefined;
		const answer = await jwt(extra, other?.privateKey);
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({ error, error_description: expect.any(String) });
	});

	test('authorization code with PKCE, then refresh', async () => {
		const verifier = 'a-verifier-that-is-long-enough-for-pkce-0123456789';
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const redirect = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
		const authorize = (extra: Record<string, string> = {}) =>
			send(`https://login.salesforce.com/services/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirect, state: 's1', code_challenge: challenge, code_challenge_method: 'S256', ...extra })}`);
		expect((await authorize({ redirect_uri: 'https://elsewhere.example/cb' })).json).toMatchObject({ error: 'redirect_uri_mismatch' });
		const codeOf = async () => new URL((await authorize()).headers.location).searchParams;
		const first = await codeOf();
		expect(first.get('state')).toBe('s1');
		const basic = { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` };
		const wrong = await token({ grant_type: 'authorization_code', code: first.get('code')!, redirect_uri: redirect, code_verifier: 'wrong' }, undefined, basic);
		expect(wrong.json).toMatchObject({ error: 'invalid_grant' });
		const second = await codeOf();
		const granted = await token({ grant_type: 'authorization_code', code: second.get('code')!, redirect_uri: redirect, code_verifier: verifier }, undefined, basic);
		expect(granted.json).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), instance_url: `https://${INSTANCE}` });
		// A code is good once.
		expect((await token({ grant_type: 'authorization_code', code: second.get('code')!, redirect_uri: redirect, code_verifier: verifier }, undefined, basic)).status).toBe(400);
		const refreshed = await token({ grant_type: 'refresh_token', refresh_token: granted.json.refresh_token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
		expect(refreshed.json.access_token).toEqual(expect.any(String));
		expect((await token({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: CLIENT_ID })).json).toMatchObject({ error: 'invalid_grant' });
		expect((await token({ grant_type: 'password', username: USER, password: 'x' })).json).toMatchObject({ error: 'unsupported_grant_type' });
	});

	test('REST calls need a session: 401 INVALID_SESSION_ID without one', async () => {
		const answer = await send(`${DATA}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
	});

	test('upsert by External ID: 201 created, then 200 updated (API 46.0 and later) or 204 (before)', async () => {
		const upsert = (version: string, body: Record<string, unknown>) =>
			send(`https://${INSTANCE}/services/data/${version}/sobjects/account/AppDirect_Id__c/acc-1`, { method: 'PATCH', headers: bearer, body });
		const created = await upsert('v59.0', { Name: 'Acme' });
		expect(created.status).toBe(201);
		expect(created.json).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true, errors: [], created: true });
		const updated = await upsert('v59.0', { Name: 'Acme Inc.', Plan__c: 'Gold' });
		expect(updated.status).toBe(200);
		expect(updated.json).toEqual({ id: created.json.id, success: true, errors: [], created: false });
		expect((await upsert('v45.0', { Plan__c: 'Silver' })).status).toBe(204);
		expect(vendors.salesforce.records('Account')).toEqual([expect.objectContaining({ Id: created.json.id, Name: 'Acme Inc.', Plan__c: 'Silver', AppDirect_Id__c: 'acc-1' })]);
		const notExternal = await send(`${DATA}/sobjects/Account/Plan__c/Gold`, { method: 'PATCH', headers: bearer, body: { Name: 'x' } });
		expect(notExternal.status).toBe(404);
		expect(notExternal.json[0].errorCode).toBe('NOT_FOUND');
	});

	test('create, get, update by id; refusals: duplicate external id, a missing required field, an unknown field', async () => {
		const post = (body: Record<string, unknown>) => send(`${DATA}/sobjects/Account`, { method: 'POST', headers: bearer, body });
		const created = await post({ Name: 'Beta', AppDirect_Id__c: 'acc-2' });
		expect(created.status).toBe(201);
		expect((await send(`${DATA}/sobjects/Account/${created.json.id}`, { method: 'PATCH', headers: bearer, body: { Phone: '555' } })).status).toBe(204);
		expect((await send(`${DATA}/sobjects/account/${created.json.id}`, { headers: bearer })).json).toMatchObject({ attributes: { type: 'Account' }, Name: 'Beta', Phone: '555' });
		const duplicate = await post({ Name: 'Beta 2', AppDirect_Id__c: 'ACC-2' });
		expect(duplicate.status).toBe(400);
		expect(duplicate.json[0]).toMatchObject({ errorCode: 'DUPLICATE_VALUE', message: expect.stringContaining(created.json.id) });
		expect((await post({ AppDirect_Id__c: 'acc-3' })).json[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });
		expect((await post({ Name: 'x', Colour__c: 'red' })).json[0].errorCode).toBe('INVALID_FIELD');
		expect((await post({ Name: 'x', CreatedDate: '2020-01-01' })).json[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
	});

	test('query: the fields asked for, matched on the conditions; unknown columns, objects and shapes refused', async () => {
		const query = (q: string) => send(`${DATA}/query?q=${encodeURIComponent(q)}`, { headers: bearer });
		const found = await query("SELECT id,name,AppDirect_Id__c FROM Account WHERE AppDirect_Id__c = 'ACC-1' LIMIT 5");
		expect(found.json).toMatchObject({ totalSize: 1, done: true, records: [{ attributes: { type: 'Account' }, Id: expect.any(String), Name: 'Acme Inc.', AppDirect_Id__c: 'acc-1' }] });
		expect(Object.keys(found.json.records[0])).toEqual(['attributes', 'Id', 'Name', 'AppDirect_Id__c']);
		expect((await query("SELECT Id FROM Account WHERE AppDirect_Id__c != 'acc-1'")).json.totalSize).toBe(1);
		expect((await query('SELECT Id FROM Account  LIMIT 0')).json.totalSize).toBe(0);
		expect((await query('SELECT Colour__c FROM Account')).json[0].errorCode).toBe('INVALID_FIELD');
		expect((await query('SELECT Id FROM Widget__c')).json[0].errorCode).toBe('INVALID_TYPE');
		const malformed = await query("SELECT Id FROM Account WHERE Name LIKE 'A%'");
		expect(malformed.status).toBe(400);
		expect(malformed.json[0].errorCode).toBe('MALFORMED_QUERY');
	});

	test('describe lists the External ID fields the editor offers for an upsert', async () => {
		const described = await send(`${DATA}/sobjects/account/describe`, { headers: bearer });
		expect(described.json.fields.filter((field: any) => field.externalId).map((field: any) => field.name)).toEqual(['AppDirect_Id__c']);
	});

	test('data calls are answered on the instance host only', async () => {
		const answer = await send('https://login.salesforce.com/services/data/v59.0/query?q=SELECT+Id+FROM+Account', { headers: bearer });
		expect(answer.status).toBe(404);
	});
});

describe('npm run demo -- --crm', () => {
	test('an unknown CRM is refused at once, naming the ones there are', async () => {
		const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
			execFile(process.execPath, ['scripts/demo/run.mjs', '--crm', 'pipedrive', '--no-build'], { cwd: repoRoot, timeout: 30_000 }, (error, _stdout, stderr) =>
				resolve({ code: error ? ((error as NodeJS.ErrnoException & { code?: number }).code as unknown as number) : 0, stderr }),
			);
		});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('--crm must be one of hubspot, salesforce, got "pipedrive"');
	});
});
