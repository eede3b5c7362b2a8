// The AppDirect node inside a real n8n, against the local AppDirect API stand-in
// (scripts/appdirect-api/): the credential created through n8n's API, tokens obtained and renewed
// by n8n's own OAuth2 code, both operations, the origin check (with a second server that must never
// be called), 404 (removed for Get Current State, an error for Get), continue on fail, errors that say what to check, the credential test.
import { randomBytes } from 'crypto';
import { READABLE_RESOURCES } from '../../nodes/AppDirect/helpers/resource-url';
import { RESOURCES } from '../../nodes/AppDirect/shared/catalog';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';
import { createCredentialUnderId, documentedValue, parseLog } from './harness.cjs';
import { ACTION_NAME, API_CREDENTIAL_TYPE, currentStateWorkflow, itemsWorkflow, toolWorkflow, type ApiCredential } from './action-workflows.cjs';

jest.setTimeout(120_000);

const CLIENT = { clientId: 'n8n-e2e-client', clientSecret: `secret-${randomBytes(12).toString('hex')}` };
const CREDENTIAL: ApiCredential = { id: 'e2eAppDirectApi1', name: 'AppDirect API (e2e)' };
const WRONG_SECRET: ApiCredential = { id: 'e2eAppDirectApi2', name: 'AppDirect API, wrong secret (e2e)' };
const TRIGGER_WEBHOOK = 'appdirect-action-current';

const WORKFLOWS = {
	current: currentStateWorkflow({ id: 'e2eActionCurrent', webhookId: TRIGGER_WEBHOOK, credential: CREDENTIAL }),
	byId: itemsWorkflow({
		id: 'e2eActionById000',
		path: 'appdirect-get',
		credential: CREDENTIAL,
		continueOnFail: true,
		parameters: {
			operation: 'get',
			resourceType: '={{ $json.resourceType }}',
			id: '={{ $json.id }}',
			companyId: '={{ $json.companyId }}',
			userId: '={{ $json.userId }}',
		},
	}),
	byIdStrict: itemsWorkflow({
		id: 'e2eActionStrict0',
		path: 'appdirect-get-strict',
		credential: CREDENTIAL,
		parameters: { operation: 'get', resourceType: '={{ $json.resourceType }}', id: '={{ $json.id }}', companyId: '={{ $json.companyId }}', userId: '={{ $json.userId }}' },
	}),
	// Get Current State with its default input, {{ $json.resourceUrl }}, for many URLs at once.
	urls: itemsWorkflow({ id: 'e2eActionUrls000', path: 'appdirect-urls', credential: CREDENTIAL, continueOnFail: true, parameters: {} }),
	tool: toolWorkflow({ id: 'e2eActionTool000', path: 'appdirect-tool', credential: CREDENTIAL }),
	wrongSecret: itemsWorkflow({ id: 'e2eActionWrong00', path: 'appdirect-wrong', credential: WRONG_SECRET, parameters: {} }),
};

let api: any;
let other: any;
let n8n: N8nInstance & Record<string, any>;

beforeAll(async () => {
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({ clients: [CLIENT] });
	// Another server on the same host: it must never be called, whatever a notification says.
	other = await startAppDirectApi({ clients: [CLIENT] });
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: Object.values(WORKFLOWS),
		// Published below, once the credentials they use exist.
		publish: false,
		// Debug level in JSON: the leak check below covers everything n8n logs, and levels are exact.
		logLevel: 'debug',
		env: { N8N_LOG_FORMAT: 'json' },
		keepUserFolder: process.env.APPDIRECT_E2E_KEEP === '1',
	})) as typeof n8n;
	for (const [credential, secret] of [
		[CREDENTIAL, CLIENT.clientSecret],
		[WRONG_SECRET, 'not-the-secret'],
	] as const) {
		await createCredential(credential, { baseUrl: api.url, clientId: CLIENT.clientId, clientSecret: secret, scope: 'ROLE_PARTNER_READ' });
	}
	for (const workflow of Object.values(WORKFLOWS)) {
		await n8n.publishWorkflow(workflow.id as string);
		await n8n.waitForPublished(workflow.id);
	}
	await n8n.waitForWebhook({ webhookId: TRIGGER_WEBHOOK, path: 'appdirect' });
}, 300_000);

/** Creates a credential, and points the workflows that use it at the id n8n gave it (harness). */
async function createCredential(credential: ApiCredential, data: Record<string, unknown>): Promise<void> {
	const actual = await createCredentialUnderId(n8n, { id: credential.id, name: credential.name, type: API_CREDENTIAL_TYPE, data });
	if (actual === credential.id) return;
	for (const workflow of Object.values(WORKFLOWS) as Array<Record<string, any>>) {
		const node = workflow.nodes.find((candidate: Record<string, any>) => candidate.name === ACTION_NAME);
		if (node.credentials[API_CREDENTIAL_TYPE].id !== credential.id) continue;
		node.credentials[API_CREDENTIAL_TYPE] = { id: actual, name: credential.name };
		const { name, nodes, connections, settings } = workflow;
		await n8n.api('PUT', `/workflows/${workflow.id}`, { name, nodes, connections, settings });
	}
	credential.id = actual;
}

afterAll(async () => {
	await n8n?.stop();
	await api?.close();
	await other?.close();
}, 60_000);

afterEach(() => {
	// Every test, whatever it sent: the other server never saw a connection.
	expect(other.connections).toBe(0);
});

/** The envelope fields Get Current State keeps from the trigger's item (README). */
const NOTIFICATION_FIELDS = ['event', 'action', 'notificationId', 'timestamp', 'occurredAt'];

/**
 * The README's item for a resource read through the API, derived from the catalog independently of
 * item.ts; after the trigger, with the envelope of the trigger's item.
 */
function expectedItem(resourceType: string | null, url: string, content: unknown, triggerItem?: Record<string, unknown>) {
	const path = new URL(url).pathname.split('/');
	const item: Record<string, unknown> = {
		...(triggerItem ? Object.fromEntries(NOTIFICATION_FIELDS.map((name) => [name, triggerItem[name]])) : {}),
		resourceType,
		resourceId: decodeURIComponent(path[path.length - 1]),
		resourceUrl: url,
		marketplaceUrl: new URL(url).origin,
		exists: content !== null,
		fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
	};
	for (const field of RESOURCES.find((resource) => resource.type === resourceType)?.fields ?? []) {
		item[field.name] = documentedValue(field, { resource: { url, content } });
	}
	item.content = content;
	return item;
}

/** Posts `{ items }` to an items workflow; n8n answers with the AppDirect node's output items. */
async function run(path: string, items: unknown[], extra: Record<string, unknown> = {}): Promise<{ status: number; json: any }> {
	const response = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ items, ...extra }),
	});
	const text = await response.text();
	try {
		return { status: response.status, json: JSON.parse(text) };
	} catch {
		return { status: response.status, json: text };
	}
}

/** Posts a notification to the trigger (authentication None) and returns the execution it started. */
async function notify(notification: unknown): Promise<Record<string, any>> {
	const workflowId = WORKFLOWS.current.id as string;
	const before = (await n8n.getExecutions({ workflowId, includeData: false })).length;
	const answer = await fetch(n8n.productionWebhookUrl(TRIGGER_WEBHOOK, 'appdirect'), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(notification),
	});
	expect(answer.status).toBe(200);
	const executions = await n8n.waitForExecutions({ workflowId, count: before + 1 });
	return executions[executions.length - 1];
}

const actionOutput = (execution: Record<string, any>) => execution.data.resultData.runData[ACTION_NAME]?.[0];
const triggerOutput = (execution: Record<string, any>) => execution.data.resultData.runData['AppDirect Trigger'][0].data.main[0][0].json;
const newRequests = (since: number) => api.requests.slice(since).map((entry: any) => `${entry.method} ${entry.path} ${entry.credentials} ${entry.status}`);

describe('Get Current State after the AppDirect Trigger', () => {
	test('n8n gets a token with the credential created through its API, then outputs the current resource', async () => {
		const notification = api.notification('subscription.added', { fresh: true });
		const url = notification.resource.url;
		const since = api.requests.length;
		const execution = await notify(notification);

		expect(execution.status).toBe('success');
		const output = actionOutput(execution);
		expect(output.data.main[0]).toHaveLength(1);
		// The trigger's item, current: its envelope (event, occurredAt…) kept, exists and fetchedAt added.
		expect(output.data.main[0][0].json).toEqual(expectedItem('SUBSCRIPTION', url, api.resource(url), triggerOutput(execution)));
		expect(output.data.main[0][0].json).toMatchObject({ event: 'subscription.added', action: 'ADDED', notificationId: notification.uuid });
		expect(output.data.main[0][0].pairedItem).toEqual({ item: 0 });
		// The first use fetched a token (HTTP Basic), then read the resource with it.
		expect(newRequests(since)).toEqual([
			'POST /oauth2/token basic 200',
			`GET ${new URL(url).pathname} bearer 200`,
		]);
	});

	test('a late notification gets what the resource looks like now, not its own stale content', async () => {
		const stale = api.notification('subscription.changed', { fresh: true });
		const url = stale.resource.url;
		api.setResource(url, { ...stale.resource.content, status: 'SUSPENDED', maxUsers: 40 });

		const execution = await notify(stale);
		expect(execution.status).toBe('success');
		const triggerItem = triggerOutput(execution);
		expect(triggerItem).toMatchObject({ status: 'ACTIVE', maxUsers: 25 });
		const item = actionOutput(execution).data.main[0][0].json;
		expect(item).toMatchObject({ resourceType: 'SUBSCRIPTION', exists: true, status: 'SUSPENDED', maxUsers: 40 });
		expect(item).toEqual(expectedItem('SUBSCRIPTION', url, api.resource(url), triggerItem));
		// When it happened is the notification's; what is true now is AppDirect's.
		expect(item.occurredAt).toBe(triggerItem.occurredAt);
	});

	test('a removed resource gives exists: false and a successful execution', async () => {
		const removal = api.notification('membership.removed', { fresh: true });
		api.removeResource(removal.resource.url);
		const since = api.requests.length;
		const execution = await notify(removal);

		expect(execution.status).toBe('success');
		const item = actionOutput(execution).data.main[0][0].json;
		expect(item).toEqual(expectedItem('MEMBERSHIP', removal.resource.url, null, triggerOutput(execution)));
		expect(item).toMatchObject({ event: 'membership.removed', action: 'REMOVED' });
		// The company and user of a membership still come from its URL.
		expect(item).toMatchObject({ exists: false, content: null, email: null, companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83' });
		expect(newRequests(since)).toEqual([`GET ${new URL(removal.resource.url).pathname} bearer 404`]);
	});

	test('a notification naming another server fails the execution, and that server is never contacted', async () => {
		const forged = api.notification('subscription.changed', { fresh: true });
		forged.resource.url = `${other.url}/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00`;
		const since = api.requests.length;
		const execution = await notify(forged);

		expect(execution.status).toBe('error');
		expect(execution.data.resultData.error.message).toBe(
			`Refused to send the AppDirect API token to ${other.url}: the resource URL must be on the credential's marketplace, ${api.url} (same scheme, host and port). A notification can name any URL; check that it comes from your marketplace, or correct the credential's Marketplace URL.`,
		);
		expect(newRequests(since)).toEqual([]);
	});

	test('an expired token is replaced: AppDirect answers 401, n8n gets a new token and the read succeeds', async () => {
		const notification = api.notification('user.changed', { fresh: true });
		const path = new URL(notification.resource.url).pathname;
		api.expireTokens();
		const tokens = api.tokensIssued;
		const since = api.requests.length;
		const execution = await notify(notification);

		expect(execution.status).toBe('success');
		expect(actionOutput(execution).data.main[0][0].json).toMatchObject({ resourceType: 'USER', exists: true, email: 'maria.lopez@acme-corp.example' });
		expect(api.tokensIssued).toBe(tokens + 1);
		expect(newRequests(since)).toEqual([`GET ${path} bearer 401`, 'POST /oauth2/token basic 200', `GET ${path} bearer 200`]);
	});
});

describe('resource URLs the token must not go to (Get Current State, continue on fail)', () => {
	test('other port, host or scheme, user info, paths outside /api/ and redirects are refused without a request to them', async () => {
		const marketplace = new URL(api.url);
		const otherPort = new URL(other.url).port;
		const subscription = '/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00';
		const redirecting = '/api/account/v1/users/redirected';
		api.answer(redirecting, { status: 302, headers: { location: `${other.url}${subscription}` } });
		const cases: Array<[string, RegExp]> = [
			[`${other.url}${subscription}`, /^Refused to send the AppDirect API token to http:\/\/127\.0\.0\.1:\d+: /],
			[`http://localhost:${otherPort}${subscription}`, /^Refused to send the AppDirect API token to http:\/\/localhost:\d+: /],
			[`https://${marketplace.host}${subscription}`, /^Refused to send the AppDirect API token to https:\/\/127\.0\.0\.1:\d+: /],
			[`https://127.0.0.1:${otherPort}${subscription}`, /^Refused to send the AppDirect API token to https:/],
			[`http://user:secret@${marketplace.host}${subscription}`, /^Refused to read a resource URL that contains a user name or password/],
			[`${api.url}/oauth2/token`, /^Refused to read http:\/\/127\.0\.0\.1:\d+\/oauth2\/token: AppDirect resources are under /],
			[`${api.url}/api/../oauth2/token`, /^Refused to read .*\/oauth2\/token/],
			['/api/billing/v1/subscriptions/relative', /^Resource URL is not an http\(s\) URL of your marketplace/],
			['', /^Resource URL is empty/],
			[`${api.url}${redirecting}`, /^AppDirect answered with a redirect, which the node does not follow$/],
		];
		const since = api.requests.length;
		const answer = await run('appdirect-urls', cases.map(([resourceUrl]) => ({ resourceUrl })));

		expect(answer.status).toBe(200);
		expect(answer.json).toHaveLength(cases.length);
		answer.json.forEach((item: Record<string, unknown>, index: number) => {
			expect(Object.keys(item)).toEqual(['error']);
			expect(item.error).toMatch(cases[index][1]);
			expect(String(item.error)).not.toContain('secret');
		});
		// Only the redirecting URL, on the marketplace itself, was read (and its redirect not followed).
		expect(newRequests(since)).toEqual([`GET ${redirecting} bearer 302`]);
		api.answer(redirecting, null);
	});
});

describe('Get by ID', () => {
	/** The ids in a sample's URL, named as the node's parameters. */
	function idsOf(resourceType: string): Record<string, string> {
		const url = api.notification(`${resourceType.toLowerCase()}.added`).resource.url;
		const segments = new URL(url).pathname.split('/');
		return resourceType === 'MEMBERSHIP'
			? { companyId: segments[segments.length - 3], userId: segments[segments.length - 1] }
			: { id: segments[segments.length - 1] };
	}

	test('reads every resource type the catalog has a REST path for, in order, each item paired with its input', async () => {
		// The membership was removed above; give it back so that every type is read.
		const membership = api.notification('membership.added');
		api.setResource(membership.resource.url, membership.resource.content);
		const inputs = READABLE_RESOURCES.map((resource) => ({ resourceType: resource.type, ...idsOf(resource.type) }));
		expect(inputs.map((input) => input.resourceType)).toEqual([
			'SUBSCRIPTION', 'USER', 'COMPANY', 'MEMBERSHIP', 'ORDER', 'INVOICE', 'APP_ASSIGNMENT', 'CATALOG_PRODUCT',
		]);
		const answer = await run('appdirect-get', inputs);

		expect(answer.status).toBe(200);
		expect(answer.json).toHaveLength(inputs.length);
		answer.json.forEach((item: Record<string, unknown>, index: number) => {
			const url = api.notification(`${inputs[index].resourceType.toLowerCase()}.added`).resource.url;
			expect(item).toEqual(expectedItem(inputs[index].resourceType, url, api.resource(url)));
		});
		// A product is read as AppDirect's REST product definition: the flat fields come from its top level.
		expect(answer.json[7]).toMatchObject({ resourceId: '2381', productId: '2381', productName: 'Acme Projects', vendorName: 'Acme Software Ltd.' });

		const [execution] = await n8n.getExecutions({ workflowId: WORKFLOWS.byId.id as string });
		const paired = actionOutput(execution).data.main[0].map((item: any) => item.pairedItem);
		expect(paired).toEqual(inputs.map((_, index) => ({ item: index })));
	});

	test('with Continue On Fail, an unknown or missing id gives an error item; the other items still run', async () => {
		const since = api.requests.length;
		const answer = await run('appdirect-get', [
			{ resourceType: 'COMPANY', id: 'no-such-company' },
			{ resourceType: 'COMPANY', id: '  ' },
			{ resourceType: 'MEMBERSHIP', companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83', userId: '' },
			{ resourceType: 'WIDGET', id: '1' },
			{ resourceType: 'USER', id: 'a/b?c' },
			{ resourceType: 'COMPANY', ...idsOf('COMPANY') },
		]);
		expect(answer.status).toBe(200);
		expect(answer.json[0]).toEqual({ error: 'AppDirect found no such resource (HTTP 404)' });
		expect(answer.json[1]).toEqual({ error: 'ID is empty: enter the id of the company to read' });
		expect(answer.json[2]).toEqual({ error: 'User ID is empty: enter the id of the membership to read' });
		expect(answer.json[3].error).toMatch(/^Resource Type "WIDGET" cannot be read; choose one of SUBSCRIPTION, USER/);
		expect(answer.json[4]).toEqual({ error: 'AppDirect found no such resource (HTTP 404)' });
		expect(answer.json[5]).toMatchObject({ resourceType: 'COMPANY', exists: true, name: 'Acme Corp' });
		// Ids are percent-encoded into one path segment, never a path or a query of their own.
		expect(newRequests(since)).toEqual([
			'GET /api/account/v1/companies/no-such-company bearer 404',
			'GET /api/account/v1/users/a%2Fb%3Fc bearer 404',
			`GET /api/account/v1/companies/${idsOf('COMPANY').id} bearer 200`,
		]);
	});

	test('an unknown id fails the execution with an error that says what to check (a product uuid where its number is needed)', async () => {
		const uuid = 'e1d2c3b4-a596-4877-8a99-b0c1d2e3f405';
		const answer = await run('appdirect-get-strict', [{ resourceType: 'CATALOG_PRODUCT', id: uuid }]);
		expect(answer.status).toBe(500);
		const [execution] = await n8n.getExecutions({ workflowId: WORKFLOWS.byIdStrict.id as string });
		expect(execution.status).toBe('error');
		const error = execution.data.resultData.error;
		expect(error).toMatchObject({ name: 'NodeApiError', message: 'AppDirect found no such resource (HTTP 404)', httpCode: '404' });
		expect(error.description).toBe(
			`AppDirect answered 404 Not Found for ${api.url}/api/marketplace/v1/products/${uuid}: no resource has this ID, or it was removed. Check the ID (for a product, its numeric product ID, not its uuid). To get exists = false for a removed resource instead of an error, use Get Current State.`,
		);
	});
});

describe('as an AI agent’s tool', () => {
	test('a new AppDirect Tool reads the resource type and ID the agent gives it', async () => {
		const url = api.notification('company.added').resource.url;
		const id = new URL(url).pathname.split('/').pop();
		const since = api.requests.length;
		const answer = await run('appdirect-tool', [], { args: { resourceType: 'COMPANY', id } });
		expect(answer.status).toBe(200);
		// What the agent reads: the node's output items, as JSON text.
		expect(JSON.parse(answer.json[0])).toEqual([expectedItem('COMPANY', url, api.resource(url))]);
		expect(newRequests(since)).toEqual([`GET /api/account/v1/companies/${id} bearer 200`]);
	});

	test('an ID that names nothing: the agent is told so, and what to check', async () => {
		const answer = await run('appdirect-tool', [], { args: { resourceType: 'CATALOG_PRODUCT', id: 'e1d2c3b4-a596-4877-8a99-b0c1d2e3f405' } });
		expect(answer.status).toBe(500);
		const executions = await n8n.getExecutions({ workflowId: WORKFLOWS.tool.id as string });
		const failed = executions.filter((execution: Record<string, any>) => execution.status === 'error');
		expect(failed).toHaveLength(1);
		const message = failed[0].data.resultData.error.message;
		expect(message).toContain('AppDirect found no such resource (HTTP 404)');
		expect(message).toContain('Check the ID (for a product, its numeric product ID, not its uuid)');
	});
});

describe('errors that say what to check', () => {
	test('a wrong client secret fails the execution: AppDirect refused the token, check the credential', async () => {
		const answer = await run('appdirect-wrong', [{ resourceUrl: api.notification('company.added').resource.url }]);
		expect(answer.status).toBe(500);
		const [execution] = await n8n.getExecutions({ workflowId: WORKFLOWS.wrongSecret.id as string });
		const error = execution.data.resultData.error;
		expect(error.message).toBe('AppDirect refused to give n8n an access token');
		expect(error.description).toBe(
			`n8n asked ${api.url}/oauth2/token for a token with the credential's client ID and secret (invalid_client: Bad client credentials). Check the AppDirect credential: Marketplace URL, the Client ID and Client Secret of an API client (a Marketplace Manager creates one under Manage > Marketplace > Settings > API Clients), and Scope (ROLE_PARTNER_READ or ROLE_PARTNER).`,
		);
		expect(JSON.stringify(execution.data)).not.toContain('not-the-secret');
	});

	test('403, 500 and a non-JSON answer each name the cause', async () => {
		const forbidden = '/api/account/v1/companies/forbidden';
		const broken = '/api/account/v1/companies/broken';
		const html = '/api/account/v1/companies/html';
		api.answer(forbidden, { status: 403, body: { code: 'FORBIDDEN', message: 'Access is denied' } });
		api.answer(broken, { status: 500, body: { code: 'INTERNAL_ERROR', message: 'boom' } });
		api.answer(html, { status: 200, text: '<html><body>Sign in</body></html>' });
		const answer = await run('appdirect-urls', [forbidden, broken, html].map((path) => ({ resourceUrl: `${api.url}${path}` })));
		expect(answer.json).toEqual([
			{ error: 'The credential is not allowed to read this resource' },
			{ error: 'AppDirect could not answer (HTTP 500)' },
			{ error: "AppDirect's answer is not a resource" },
		]);
		for (const path of [forbidden, broken, html]) api.answer(path, null);
	});
});

describe('the credential test', () => {
	const test_ = (data: Record<string, unknown>) =>
		n8n.rest('POST', '/credentials/test', { credentials: { ...CREDENTIAL, type: API_CREDENTIAL_TYPE, data } });

	test('obtains a token with the client ID and secret and reads a company with it', async () => {
		const since = api.requests.length;
		const tokens = api.tokensIssued;
		const result = await test_({ baseUrl: api.url, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scope: 'ROLE_PARTNER_READ' });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(api.tokensIssued).toBe(tokens + 1);
		expect(newRequests(since)).toEqual(['POST /oauth2/token basic 200', 'GET /api/account/v2/companies bearer 200']);
	});

	test('reports a wrong secret', async () => {
		const result = await test_({ baseUrl: api.url, clientId: CLIENT.clientId, clientSecret: 'wrong', scope: 'ROLE_PARTNER_READ' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Client authentication failed|Bad client credentials/);
	});
});

describe('secrets and logs (after everything above)', () => {
	test('no client secret and no access token in any execution record or in n8n’s log', async () => {
		const secrets = [CLIENT.clientSecret, 'not-the-secret', ...api.accessTokens];
		expect(api.accessTokens.length).toBeGreaterThan(2);
		const records = JSON.stringify(await n8n.getExecutions());
		const log = n8n.readLog();
		for (const secret of secrets) {
			expect(records).not.toContain(secret);
			expect(log).not.toContain(secret);
		}
	});

	test('n8n loaded both nodes and both credentials without a warning about them', () => {
		// The executions the tests failed on purpose are logged too; these patterns name the package and its types only.
		const aboutUs = parseLog(n8n.readLog()).filter(
			(line) => ['warn', 'error'].includes(line.level) && /n8n-nodes-appdirect|appDirectOAuth2Api|\.appDirect\b/.test(line.raw),
		);
		expect(aboutUs.map((line) => line.raw)).toEqual([]);
		expect(n8n.readLog()).toContain('Loaded all credentials and nodes from n8n-nodes-appdirect');
	});
});
