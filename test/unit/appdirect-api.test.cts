// The local AppDirect API stand-in keeps to what AppDirect documents: client-credentials tokens
// with HTTP Basic, the two scopes, expiry, the samples' resources, 404 after removal.
import { importScript } from '../helpers/runtime.cjs';
import { sampleNotification } from '../helpers/samples.cjs';

const CLIENT = { clientId: 'client-1', clientSecret: 'secret-1' };
let api: any;

beforeAll(async () => {
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({ clients: [CLIENT] });
});

afterAll(async () => {
	await api?.close();
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(body: string, authorization = basic(CLIENT.clientId, CLIENT.clientSecret)) {
	const response = await fetch(`${api.url}/oauth2/token`, {
		method: 'POST',
		headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
		body,
	});
	return { status: response.status, json: (await response.json()) as any };
}

async function get(path: string, accessToken?: string) {
	const response = await fetch(`${api.url}${path}`, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
	return { status: response.status, json: (await response.json()) as any };
}

describe('the AppDirect API stand-in', () => {
	it('gives a client-credentials token for either scope, without a refresh token', async () => {
		for (const scope of ['ROLE_PARTNER_READ', 'ROLE_PARTNER']) {
			const answer = await token(`grant_type=client_credentials&scope=${scope}`);
			expect(answer.status).toBe(200);
			expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 43199, scope });
		}
	});

	it('refuses a wrong secret, an unknown client, another grant or scope', async () => {
		expect(await token('grant_type=client_credentials&scope=ROLE_PARTNER_READ', basic(CLIENT.clientId, 'wrong'))).toEqual({
			status: 401,
			json: { error: 'invalid_client', error_description: 'Bad client credentials' },
		});
		expect((await token('grant_type=client_credentials&scope=ROLE_PARTNER_READ', basic('nobody', 'x'))).status).toBe(401);
		expect((await token('grant_type=client_credentials&scope=ROLE_PARTNER_READ', '')).status).toBe(401);
		expect((await token('grant_type=password&scope=ROLE_PARTNER_READ')).json.error).toBe('unsupported_grant_type');
		expect((await token('grant_type=client_credentials&scope=ROLE_CHANNEL_ADMIN')).json.error).toBe('invalid_scope');
		expect((await token('grant_type=client_credentials')).json.error).toBe('invalid_scope');
	});

	it('serves a notification’s content at its resource URL, products as REST definitions, 404 after removal', async () => {
		const { json } = await token('grant_type=client_credentials&scope=ROLE_PARTNER_READ');
		const subscription = api.notification('subscription.added');
		expect(subscription.resource.url.startsWith(`${api.url}/api/billing/v1/subscriptions/`)).toBe(true);
		const path = new URL(subscription.resource.url).pathname;
		expect(await get(path, json.access_token)).toEqual({ status: 200, json: subscription.resource.content });
		// Links inside the resource point at the stand-in too.
		expect(subscription.resource.content.company.href.startsWith(api.url)).toBe(true);

		const product = await get('/api/marketplace/v1/products/2381', json.access_token);
		expect(product.json).toMatchObject({ id: 2381, name: 'Acme Projects', vendorName: 'Acme Software Ltd.' });
		expect(product.json.application).toBeUndefined();

		api.removeResource(subscription.resource.url);
		expect((await get(path, json.access_token)).status).toBe(404);
		api.setResource(path, subscription.resource.content);
		expect((await get(path, json.access_token)).status).toBe(200);
	});

	it('answers 401 without a token, with an unknown one and after expiry', async () => {
		const { json } = await token('grant_type=client_credentials&scope=ROLE_PARTNER_READ');
		const path = '/api/account/v1/users/0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21';
		expect((await get(path)).status).toBe(401);
		expect((await get(path, 'made-up')).json).toEqual({ error: 'invalid_token', error_description: 'Invalid access token' });
		api.expireTokens();
		expect((await get(path, json.access_token)).json).toEqual({ error: 'invalid_token', error_description: 'Access token expired' });
	});

	it('rewrites any notification’s sample URLs to itself', () => {
		const story = sampleNotification('user.changed');
		const local = api.localise(story);
		expect(local.resource.url).toBe(story.resource.url.replace('https://marketplace.example.com', api.url));
		expect(story.resource.url.startsWith('https://marketplace.example.com')).toBe(true);
	});
});
