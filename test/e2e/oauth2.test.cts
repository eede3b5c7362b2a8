// The AppDirect Trigger's two OAuth2 types inside a real n8n: its token endpoint (the Access
// Token URI), the bearer check of notifications, and the attack corpus, all over real HTTP and
// checked against n8n's own execution records. One n8n for the file.
import { randomBytes } from 'crypto';
import { validateHeaderValue } from 'http';
import { BEARER_REFUSAL } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import { TOKEN_MAX_AGE_MS } from '../../nodes/AppDirect/trigger/token-cache';
import { sampleNotification } from '../helpers/samples.cjs';
import { oauth2Attacks } from '../helpers/oauth2-attacks.cjs';
import { loadInstanceModule, packPackage } from '../helpers/runtime.cjs';
import { answerTexts, createCredentialUnderId, executionIds, newExecutions, request, type Answer, type Instance } from './harness.cjs';
import { buildWorkflow, webhookId, workflowId, type TriggerWorkflow } from './workflows.cjs';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secret = () => `cs_${randomBytes(24).toString('hex')}`;

const CLIENT_TYPE = 'appDirectWebhookClientOAuth2Api';
const OWNER_TYPE = 'appDirectWebhookPasswordOAuth2Api';
// Random per run, so finding one in a log or an answer can only mean a leak.
const CLIENT = { clientId: 'appdirect-e2e', clientSecret: secret(), scope: 'webhooks' };
const OWNER = { ...CLIENT, username: 'marketplace-e2e', password: `pw_${randomBytes(12).toString('hex')}` };
const ROTATE = { clientId: 'appdirect-rotate', clientSecret: secret(), scope: '' };

const CREDENTIALS = {
	client: { id: 'e2eOAuthClient01', name: 'AppDirect OAuth2 client (e2e)', type: CLIENT_TYPE, data: CLIENT },
	owner: { id: 'e2eOAuthOwner001', name: 'AppDirect OAuth2 owner (e2e)', type: OWNER_TYPE, data: OWNER },
	rotate: { id: 'e2eOAuthRotate01', name: 'AppDirect OAuth2 rotation (e2e)', type: CLIENT_TYPE, data: ROTATE },
};

interface Spec extends TriggerWorkflow {
	credentialKey: keyof typeof CREDENTIALS;
}
// "client" waits for the workflow ("When finished", the default): the token endpoint's answer must
// still be its own. "owner" answers immediately. "other" shares client's credential.
const SPECS: Spec[] = [
	{ key: 'oClient', parameters: { authentication: 'oAuth2ClientCredentials' }, outputs: ['All Events'], credentialKey: 'client' },
	{ key: 'oOwner', parameters: { authentication: 'oAuth2Password', respond: 'immediately' }, outputs: ['All Events'], credentialKey: 'owner' },
	{ key: 'oOther', parameters: { authentication: 'oAuth2ClientCredentials' }, outputs: ['All Events'], credentialKey: 'client' },
	{ key: 'oRotate', parameters: { authentication: 'oAuth2ClientCredentials' }, outputs: ['All Events'], credentialKey: 'rotate' },
];
const TRIGGER_ID = (key: string) => `trigger-${key}`;

function workflowFor(spec: Spec): Record<string, unknown> {
	const workflow = buildWorkflow(spec) as { nodes: Array<Record<string, unknown>> };
	const { id, name, type } = CREDENTIALS[spec.credentialKey];
	workflow.nodes[0].credentials = { [type]: { id, name } };
	return workflow;
}

let n8n: Instance;
const tokenUrl = (key: string) => n8n.productionWebhookUrl(webhookId(key), 'appdirect/token');
const notificationUrl = (key: string) => n8n.productionWebhookUrl(webhookId(key), 'appdirect');

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;

async function askToken(key: string, body: string, headers: Record<string, string>): Promise<Answer> {
	return await request(tokenUrl(key), { headers: { ...FORM, ...headers }, body });
}
const clientGrant = (credential: { clientId: string; clientSecret: string }, style: 'basic' | 'form' = 'basic') =>
	style === 'basic'
		? ([`grant_type=client_credentials`, { Authorization: basic(credential.clientId, credential.clientSecret) }] as const)
		: ([
				`grant_type=client_credentials&client_id=${encodeURIComponent(credential.clientId)}&client_secret=${encodeURIComponent(credential.clientSecret)}`,
				{},
			] as const);

async function tokenFor(key: string, credential: { clientId: string; clientSecret: string }, style: 'basic' | 'form' = 'basic'): Promise<string> {
	const [body, headers] = clientGrant(credential, style);
	const answer = await askToken(key, body, headers);
	expect(answer.status).toBe(200);
	return answer.json.access_token as string;
}

async function notify(key: string, token: string | undefined, event = 'subscription.added', query = ''): Promise<Answer> {
	return await request(`${notificationUrl(key)}${query}`, {
		headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
		body: JSON.stringify(sampleNotification(event)),
	});
}

beforeAll(async () => {
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: SPECS.map(workflowFor),
		publish: false,
		logLevel: 'debug',
		env: { N8N_LOG_FORMAT: 'json' },
		keepUserFolder: process.env.APPDIRECT_E2E_KEEP === '1',
	})) as Instance;
	try {
		for (const credential of Object.values(CREDENTIALS)) {
			const actual = await createCredentialUnderId(n8n, credential);
			// The node binds tokens to the credential's fields, not its id; but the workflows name the id.
			if (actual !== credential.id) throw new Error(`this n8n gave the credential another id (${actual}); these tests need 2.x`);
		}
		for (const spec of SPECS) {
			await n8n.publishWorkflow(workflowId(spec.key));
			await n8n.waitForPublished(workflowId(spec.key));
			await n8n.waitForWebhook({ webhookId: webhookId(spec.key), path: 'appdirect', method: 'POST' });
		}
	} catch (error) {
		await n8n.stop();
		throw error;
	}
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
});

describe('OAuth2 with client credentials', () => {
	it('issues a token with Basic and with form fields, and accepts notifications carrying it, without starting anything for the token', async () => {
		const before = await executionIds(n8n, 'oClient');
		for (const style of ['basic', 'form'] as const) {
			const [body, headers] = clientGrant(CLIENT, style);
			const answer = await askToken('oClient', body, headers);
			expect(answer.status).toBe(200);
			expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
			expect((await notify('oClient', answer.json.access_token)).status).toBe(200);
		}
		// Two notifications, and nothing for the two token requests.
		expect(await newExecutions(n8n, 'oClient', before, 2)).toHaveLength(2);
	});

	it('reuses one token for many notifications, each processed once', async () => {
		const token = await tokenFor('oClient', CLIENT);
		const before = await executionIds(n8n, 'oClient');
		for (let i = 0; i < 5; i++) expect((await notify('oClient', token)).status).toBe(200);
		const executions = await newExecutions(n8n, 'oClient', before, 5);
		expect(executions.map((execution) => execution.status)).toEqual(Array(5).fill('success'));
	});

	it('refuses a wrong secret with invalid_client, and a token of another workflow with the one 401', async () => {
		const wrong = await askToken('oClient', 'grant_type=client_credentials', { Authorization: basic(CLIENT.clientId, secret()) });
		expect([wrong.status, wrong.json.error]).toEqual([401, 'invalid_client']);
		const before = await executionIds(n8n, 'oClient');
		const foreign = await tokenFor('oOther', CLIENT);
		const refused = await notify('oClient', foreign);
		expect([refused.status, refused.json]).toEqual([401, BEARER_REFUSAL.body]);
		// Accepted where it was issued.
		expect((await notify('oOther', foreign)).status).toBe(200);
		expect(await newExecutions(n8n, 'oClient', before, 0)).toHaveLength(0);
	});
});

describe('OAuth2 with resource owner password', () => {
	it('issues a token only with the right owner, Basic or form, and accepts notifications with it', async () => {
		const before = await executionIds(n8n, 'oOwner');
		const owner = `grant_type=password&username=${OWNER.username}&password=${OWNER.password}`;
		const withBasic = await askToken('oOwner', owner, { Authorization: basic(OWNER.clientId, OWNER.clientSecret) });
		expect(withBasic.status).toBe(200);
		const withForm = await askToken('oOwner', `${owner}&client_id=${OWNER.clientId}&client_secret=${OWNER.clientSecret}`, {});
		expect(withForm.status).toBe(200);
		const wrong = await askToken('oOwner', `grant_type=password&username=${OWNER.username}&password=guess`, {
			Authorization: basic(OWNER.clientId, OWNER.clientSecret),
		});
		expect([wrong.status, wrong.json.error]).toEqual([400, 'invalid_grant']);
		expect((await notify('oOwner', withBasic.json.access_token)).status).toBe(200);
		expect((await notify('oOwner', withForm.json.access_token)).status).toBe(200);
		expect(await newExecutions(n8n, 'oOwner', before, 2)).toHaveLength(2);
	});
});

describe('a changed client secret', () => {
	it(`refuses the old tokens within ${TOKEN_MAX_AGE_MS / 1000} s and accepts new ones at once`, async () => {
		const old = await tokenFor('oRotate', ROTATE);
		expect((await notify('oRotate', old)).status).toBe(200);
		const rotated = { ...ROTATE, clientSecret: secret() };
		await n8n.api('PATCH', `/credentials/${CREDENTIALS.rotate.id}`, { data: rotated });
		const changedAt = Date.now();
		let stillAcceptedMs = 0;
		for (;;) {
			const answer = await notify('oRotate', old, 'user.added');
			if (answer.status === 401) break;
			expect(answer.status).toBe(200);
			stillAcceptedMs = Date.now() - changedAt;
			expect(stillAcceptedMs).toBeLessThan(TOKEN_MAX_AGE_MS + 2_000);
			await sleep(250);
		}
		// Reported so that the figure in the README can be checked against a run.
		process.stdout.write(`old token last accepted ${stillAcceptedMs} ms after the secret changed\n`);
		const [oldBody, oldHeaders] = clientGrant(ROTATE);
		const wrong = await askToken('oRotate', oldBody, oldHeaders);
		expect(wrong.status).toBe(401);
		expect((await notify('oRotate', await tokenFor('oRotate', rotated))).status).toBe(200);
	});
});

describe('attack corpus in a real n8n', () => {
	// The corpus's "client" is oClient, its "owner" oOwner: the credentials it is built for.
	const corpus = oauth2Attacks({
		now: Date.now(),
		binding: { workflowId: workflowId('oClient'), nodeId: TRIGGER_ID('oClient') },
		clientId: CLIENT.clientId,
		clientSecret: CLIENT.clientSecret,
		username: OWNER.username,
		password: OWNER.password,
	});
	/** What Node's HTTP client can put on the wire as it is (no control or non-Latin-1 characters). */
	const sendable = (headers: Record<string, unknown>) =>
		Object.values(headers).every((value) => {
			if (typeof value !== 'string' && typeof value !== 'number') return false;
			try {
				validateHeaderValue('x', String(value));
				return true;
			} catch {
				return false;
			}
		});
	/** n8n's HTTP server refuses headers over 16 KB by itself. */
	const tooLarge = (headers: Record<string, unknown>) => Object.values(headers).some((value) => String(value).length > 16_000);
	// Node answers headers over its limit with 431 and closes the socket; a client still writing may
	// see the reset before the answer. Either way nothing reached n8n (the execution count below checks).
	const sendHostile = async (url: string, init: Parameters<typeof request>[1], oversized: boolean): Promise<Answer> => {
		try {
			return await request(url, oversized ? { ...init, body: undefined } : init);
		} catch (error) {
			const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
			if (oversized && (code === 'ECONNRESET' || code === 'EPIPE')) return { status: 431, text: '', json: undefined } as unknown as Answer;
			throw error;
		}
	};
	/**
	 * The requests n8n or Node.js answer before the node runs (the README's answers table): headers
	 * over 16 KB (431), a multipart type whose body is no multipart form (n8n's form parser: 400),
	 * and methods the webhook is not registered for (404; OPTIONS is a CORS preflight: 204; TRACE: 500).
	 */
	const answeredByN8n = (name: string, hostile: { method: string; headers: Record<string, unknown> }): number | undefined => {
		if (tooLarge(hostile.headers)) return 431;
		if (name === 'multipart') return 400;
		if (hostile.method === 'POST') return undefined;
		return { OPTIONS: 204, TRACE: 500 }[hostile.method] ?? 404;
	};
	const endpoint = corpus.endpointAttacks.filter(([, , hostile]) => sendable(hostile.headers));
	const notifications = corpus.notificationAttacks.filter(([, headers]) => sendable(headers));

	it('sends at least 100 of them', () => {
		expect(endpoint.length + notifications.length).toBeGreaterThanOrEqual(100);
	});

	it('answers each token request as documented, with no token', async () => {
		for (const [name, credential, hostile, [status, error]] of endpoint) {
			const key = credential === 'client' ? 'oClient' : 'oOwner';
			const headers = Object.fromEntries(Object.entries(hostile.headers).map(([header, value]) => [header, String(value)]));
			const body = hostile.method === 'GET' || hostile.method === 'HEAD' ? undefined : hostile.body;
			const answer = await sendHostile(tokenUrl(key), { method: hostile.method, headers, body }, tooLarge(hostile.headers));
			expect(answer.json?.access_token).toBeUndefined();
			const byN8n = answeredByN8n(name, hostile);
			if (byN8n !== undefined) expect([name, answer.status]).toEqual([name, byN8n]);
			else expect([name, answer.status, answer.json?.error]).toEqual([name, status, error]);
		}
	});

	it('refuses each hostile notification with the one 401', async () => {
		for (const [name, headers, query] of notifications) {
			const search = query === undefined ? '' : `?${new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))).toString()}`;
			const init = {
				headers: { 'Content-Type': 'application/json', ...Object.fromEntries(Object.entries(headers).map(([header, value]) => [header, String(value)])) },
				body: JSON.stringify(sampleNotification('subscription.added')),
			};
			const answer = await sendHostile(`${notificationUrl('oClient')}${search}`, init, tooLarge(headers));
			if (tooLarge(headers)) expect([name, answer.status]).toEqual([name, 431]);
			else expect([name, answer.status, answer.json]).toEqual([name, 401, BEARER_REFUSAL.body]);
		}
	});

	it('started no execution, and no answer or log line carries a secret', async () => {
		const started = await Promise.all(
			['oClient', 'oOwner'].map(async (key) => (await n8n.getExecutions({ workflowId: workflowId(key), includeData: false })).length),
		);
		// Only what the tests above sent with good tokens: 2 + 5 for oClient, 2 for oOwner.
		expect(started).toEqual([7, 2]);
		const log = n8n.readLog();
		for (const value of [...corpus.secrets, OWNER.password, ROTATE.clientSecret]) {
			for (const text of answerTexts) expect(text).not.toContain(value);
			expect(log).not.toContain(value);
		}
	});
});
