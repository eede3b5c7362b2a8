import { checkOAuth2Credential, MIN_CLIENT_SECRET_CHARS } from '../../nodes/AppDirect/trigger/oauth2/credential-check';

const SECRET = 'cs_4f9a1c7e2b8d6053aa41f0c9e7b2d81';
const CLIENT = { grant: 'clientCredentials' as const, clientId: 'appdirect', clientSecret: SECRET };
const OWNER = { ...CLIENT, grant: 'password' as const, username: 'bot', password: 'pw_7Hq2xL9vRt4Z' };

describe('checkOAuth2Credential', () => {
	it.each([
		['a complete client-credentials credential', CLIENT, 'OK', /^Saved/],
		['a complete password credential', OWNER, 'OK', /^Saved/],
		['client credentials need no username', { ...CLIENT, username: '', password: '' }, 'OK', /^Saved/],
		['no data', undefined, 'Error', /client ID is empty/],
		['an empty client ID', { ...CLIENT, clientId: ' ' }, 'Error', /client ID is empty/],
		['an empty secret', { ...CLIENT, clientSecret: '' }, 'Error', /client secret is empty/],
		['a secret ending with a line break', { ...CLIENT, clientSecret: `${SECRET}\n` }, 'Error', /client secret starts or ends/],
		['a short secret', { ...CLIENT, clientSecret: 'x'.repeat(MIN_CLIENT_SECRET_CHARS - 1) }, 'Error', /at least 32/],
		['a password grant without username', { ...OWNER, username: '' }, 'Error', /username is empty/],
		['a password grant without password', { ...OWNER, password: undefined }, 'Error', /password is empty/],
		['a password with a leading space', { ...OWNER, password: ' pw' }, 'Error', /password starts or ends/],
	])('%s → %s', (_case, data, status, message) => {
		const grant = (data as { grant?: 'password' } | undefined)?.grant ?? 'clientCredentials';
		const result = checkOAuth2Credential(grant, data as Record<string, unknown> | undefined);
		expect(result.status).toBe(status);
		expect(result.message).toMatch(message);
		expect(result.message).not.toContain(SECRET);
	});
});

describe('the OAuth2 webhook credential types', () => {
	const { AppDirectWebhookClientOAuth2Api } = require('../../credentials/AppDirectWebhookClientOAuth2Api.credentials');
	const { AppDirectWebhookPasswordOAuth2Api } = require('../../credentials/AppDirectWebhookPasswordOAuth2Api.credentials');
	const client = new AppDirectWebhookClientOAuth2Api();
	const password = new AppDirectWebhookPasswordOAuth2Api();
	const fields = (type: any) => Object.fromEntries(type.properties.map((property: any) => [property.name, property]));

	it('ask for the fields AppDirect asks for, secrets masked', () => {
		expect(Object.keys(fields(client))).toEqual(['clientId', 'clientSecret', 'scope']);
		expect(password.extends).toEqual([client.name]);
		expect(Object.keys(fields(password))).toEqual(['username', 'password']);
		for (const [type, name] of [[client, 'clientSecret'], [password, 'password']]) {
			expect(fields(type)[name]).toMatchObject({ required: true, typeOptions: { password: true } });
		}
		expect(fields(client).scope.required).toBeUndefined();
	});
});
