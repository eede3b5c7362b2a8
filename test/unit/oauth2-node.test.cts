// The AppDirect Trigger's OAuth2 types through webhook(): the token endpoint (the "token"
// webhook) and the bearer check of notifications, with n8n's request surface stood in.
import { BEARER_REFUSAL } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import { deriveTokenKeys, issueToken } from '../../nodes/AppDirect/trigger/oauth2/token';
import { sampleNotification } from '../helpers/samples.cjs';
import { callWebhook, description, type WebhookCall } from '../helpers/n8n.cjs';

const ID = 'appdirect-webhooks';
const SECRET = 'cs_9d2f71a04be35c6e8f1a2b3c4d5e6f70';
const USER = 'marketplace';
const PASSWORD = 'pw_Lk29xQ7rTz';
const CLIENT = { type: 'appDirectWebhookClientOAuth2Api', data: { clientId: ID, clientSecret: SECRET, scope: '' } };
const OWNER = { type: 'appDirectWebhookPasswordOAuth2Api', data: { ...CLIENT.data, username: USER, password: PASSWORD } };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id = ID, secret = SECRET) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const SECRETS = [SECRET, PASSWORD];

let credentials = 0;
const clientCall = (call: WebhookCall): WebhookCall => ({
	parameters: { authentication: 'oAuth2ClientCredentials' },
	oauth2: CLIENT,
	credentialId: `oauth2-unit-${++credentials}`,
	...call,
});

async function fetchToken(call: WebhookCall = {}): Promise<string> {
	const outcome = await callWebhook(
		clientCall({ webhookName: 'setup', headers: { ...FORM, authorization: basic() }, body: 'grant_type=client_credentials', ...call }),
	);
	expect(outcome.status).toBe(200);
	return (outcome.json as { access_token: string }).access_token;
}

function expectNoSecrets(outcome: { json?: unknown; logs: string[]; result: unknown }): void {
	const text = JSON.stringify([outcome.json, outcome.logs, outcome.result]);
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('AppDirect Trigger with OAuth2', () => {
	it('offers both OAuth2 types, each with its own credential', () => {
		const authentication = description.properties.find((property) => property.name === 'authentication');
		const values = authentication?.options?.map((option) => ('value' in option ? option.value : undefined));
		expect(values).toEqual(expect.arrayContaining(['token', 'none', 'oAuth2ClientCredentials', 'oAuth2Password']));
		const names = authentication?.options?.map((option) => option.name);
		expect(names).toEqual(expect.arrayContaining(['OAuth2 With Client Credentials', 'OAuth2 With Resource Owner Password']));
	});

	it('has a second webhook for the token endpoint, shown only with an OAuth2 type', () => {
		const token = description.webhooks?.find((webhook) => webhook.name === 'setup');
		expect(token).toMatchObject({ httpMethod: 'POST', path: 'appdirect/token' });
		expect(String(token?.ndvHideUrl)).toContain('oAuth2ClientCredentials');
	});

	it('issues a token (Basic or form fields) and starts nothing', async () => {
		for (const call of [
			{ headers: { ...FORM, authorization: basic() }, body: 'grant_type=client_credentials' },
			{ headers: FORM, body: `grant_type=client_credentials&client_id=${ID}&client_secret=${SECRET}` },
		]) {
			const outcome = await callWebhook(clientCall({ webhookName: 'setup', ...call }));
			expect(outcome.status).toBe(200);
			expect(outcome.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
			expect(outcome.headers['Cache-Control']).toBe('no-store');
			expect(outcome.result).toEqual({ noWebhookResponse: true });
		}
	});

	it('answers the password grant only with the right owner', async () => {
		const body = (password: string) => `grant_type=password&username=${USER}&password=${password}`;
		const call = { parameters: { authentication: 'oAuth2Password' }, oauth2: OWNER, webhookName: 'setup' };
		const good = await callWebhook(clientCall({ ...call, headers: { ...FORM, authorization: basic() }, body: body(PASSWORD) }));
		expect(good.status).toBe(200);
		const bad = await callWebhook(clientCall({ ...call, headers: { ...FORM, authorization: basic() }, body: body('guess') }));
		expect([bad.status, (bad.json as { error: string }).error]).toEqual([400, 'invalid_grant']);
		expectNoSecrets(bad);
	});

	it('refuses a wrong secret with invalid_client, in the log only as an outcome', async () => {
		const outcome = await callWebhook(
			clientCall({ webhookName: 'setup', headers: { ...FORM, authorization: basic(ID, 'wrong') }, body: 'grant_type=client_credentials' }),
		);
		expect([outcome.status, (outcome.json as { error: string }).error]).toEqual([401, 'invalid_client']);
		expect(outcome.headers['WWW-Authenticate']).toMatch(/^Basic /);
		expect(outcome.logs).toContain('info: AppDirect Trigger: refused a token request (wrongClient)');
		expect(outcome.result).toEqual({ noWebhookResponse: true });
		expectNoSecrets(outcome);
	});

	it('answers 404 at the token URL when the node does not use OAuth2', async () => {
		const outcome = await callWebhook({ webhookName: 'setup', headers: FORM, body: 'grant_type=client_credentials', token: 'x'.repeat(20) });
		expect(outcome.status).toBe(404);
		expect(outcome.credentialReads).toBe(0);
		expect(outcome.result).toEqual({ noWebhookResponse: true });
	});

	it('accepts a notification with its bearer token, and the item has no Authorization header', async () => {
		const credentialId = `oauth2-unit-${++credentials}`;
		const token = await fetchToken({ credentialId });
		const outcome = await callWebhook(
			clientCall({
				credentialId,
				parameters: { authentication: 'oAuth2ClientCredentials', options: { includeHeaders: true } },
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body: JSON.stringify(sampleNotification('subscription.added')),
			}),
		);
		expect(outcome.status).toBeUndefined();
		const item = (outcome.result as { workflowData: Array<Array<{ json: Record<string, unknown> }>> }).workflowData[0][0].json;
		expect(item.headers).toEqual({ 'content-type': 'application/json' });
		expect(JSON.stringify(outcome)).not.toContain(token);
		// The token endpoint's read is reused: one read for both requests.
		expect(outcome.credentialReads).toBe(0);
	});

	it('refuses every bad notification with the same answer', async () => {
		const credentialId = `oauth2-unit-${++credentials}`;
		const token = await fetchToken({ credentialId });
		const otherWorkflow = issueToken(deriveTokenKeys({ grant: 'clientCredentials', ...CLIENT.data }, { workflowId: 'w2', nodeId: 'a1' }), Date.now());
		const cases: Array<Partial<WebhookCall>> = [
			{ headers: {} },
			{ headers: { authorization: `Bearer ${token.slice(0, -1)}` } },
			{ headers: { authorization: `Bearer ${otherWorkflow.accessToken}` } },
			{ headers: { authorization: `Bearer ${token}` }, query: { access_token: token } },
			{ headers: { 'x-appdirect-webhook-token': SECRET } },
			{ headers: { authorization: basic() } },
		];
		for (const call of cases) {
			const outcome = await callWebhook(clientCall({ credentialId, body: JSON.stringify(sampleNotification('subscription.added')), ...call }));
			expect([outcome.status, outcome.json, outcome.headers]).toEqual([BEARER_REFUSAL.status, BEARER_REFUSAL.body, BEARER_REFUSAL.headers]);
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			expectNoSecrets(outcome);
		}
	});

	it('answers 500 without throwing when the credential cannot be read', async () => {
		for (const webhookName of ['setup', 'default']) {
			const outcome = await callWebhook(
				clientCall({ webhookName, credentialError: new Error('no credential'), headers: { ...FORM, authorization: basic() }, body: 'grant_type=client_credentials' }),
			);
			expect(outcome.status).toBe(500);
			expect(outcome.logs.some((line) => line.startsWith('error: '))).toBe(true);
		}
	});
});
