import { answerTokenRequest, type TokenRequest } from '../../nodes/AppDirect/trigger/oauth2/endpoint';
import { deriveTokenKeys, verifyToken, TOKEN_LIFETIME_SECONDS } from '../../nodes/AppDirect/trigger/oauth2/token';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BINDING = { workflowId: 'wf-1', nodeId: 'node-a' };
// Characters that form encoding changes: a space, '+', '%', ':' and non-ASCII.
const SECRET = 'cs 4f9a+1c7e%2b:8d6053aa41f0c9é';
const CLIENT = { grant: 'clientCredentials' as const, clientId: 'app direct:1', clientSecret: SECRET };
const OWNER = { ...CLIENT, grant: 'password' as const, username: 'bot@example.com', password: 'pw 7Hq2+xL9vRt4Z' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
const basic = (id: string, secret: string, encode = true) =>
	`Basic ${Buffer.from(`${encode ? formEncode(id) : id}:${encode ? formEncode(secret) : secret}`).toString('base64')}`;

function post(fields: Record<string, string>, headers: Record<string, unknown> = {}): TokenRequest {
	return { method: 'POST', headers: { ...FORM, ...headers }, body: form(fields) };
}

const clientKeys = deriveTokenKeys(CLIENT, BINDING);
const ownerKeys = deriveTokenKeys(OWNER, BINDING);
const rawKeys = deriveTokenKeys({ ...CLIENT, clientId: 'appdirect 1' }, BINDING);

describe('token endpoint: tokens issued', () => {
	it.each([
		['client credentials, HTTP Basic', clientKeys, post({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, SECRET) })],
		// As many clients send it; only an ID without ':' can be sent so (RFC 7617).
		['client credentials, Basic without the form encoding inside', rawKeys, post({ grant_type: 'client_credentials' }, { Authorization: basic('appdirect 1', SECRET, false) })],
		['client credentials, form fields', clientKeys, post({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: SECRET })],
		['password, HTTP Basic', ownerKeys, post({ grant_type: 'password', username: OWNER.username, password: OWNER.password }, { authorization: basic(CLIENT.clientId, SECRET) })],
		['password, form fields', ownerKeys, post({ grant_type: 'password', username: OWNER.username, password: OWNER.password, client_id: CLIENT.clientId, client_secret: SECRET })],
		['a form content type with a charset, in capitals', clientKeys, { ...post({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, SECRET) }), headers: { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', authorization: basic(CLIENT.clientId, SECRET) } }],
		['a lower-case method name', clientKeys, { ...post({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, SECRET) }), method: 'post' }],
		['an unknown extra field, which RFC 6749 says to ignore', clientKeys, post({ grant_type: 'client_credentials', audience: 'x' }, { authorization: basic(CLIENT.clientId, SECRET) })],
		['an empty field, which counts as absent', clientKeys, { ...post({}), headers: { ...FORM, authorization: basic(CLIENT.clientId, SECRET) }, body: 'scope=&grant_type=client_credentials&&' }],
	])('%s → 200 with a Bearer token', (_case, keys, request) => {
		const answer = answerTokenRequest(request, keys, NOW);
		expect(answer).toMatchObject({ status: 200, outcome: 'issued' });
		expect(answer.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
		expect(Object.keys(answer.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
		expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS });
		expect(verifyToken(answer.body.access_token, keys, NOW)).toBe('valid');
	});

	it('answers the scope asked for; a credential with a scope allows only its scopes', () => {
		const request = (scope: string) => post({ grant_type: 'client_credentials', scope }, { authorization: basic(CLIENT.clientId, SECRET) });
		expect(answerTokenRequest(request('anything at:all'), clientKeys, NOW).body.scope).toBe('anything at:all');
		const scoped = deriveTokenKeys({ ...CLIENT, scope: ' webhooks  read ' }, BINDING);
		expect(answerTokenRequest(request('webhooks'), scoped, NOW)).toMatchObject({ status: 200, body: { scope: 'webhooks' } });
		expect(answerTokenRequest(request('read webhooks'), scoped, NOW)).toMatchObject({ status: 200, body: { scope: 'read webhooks' } });
		expect(answerTokenRequest(request('webhooks write'), scoped, NOW)).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
		expect(answerTokenRequest(post({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, SECRET) }), scoped, NOW).body.scope).toBeUndefined();
	});
});

describe('token endpoint: refusals', () => {
	const CC = { grant_type: 'client_credentials' };
	const goodBasic = { authorization: basic(CLIENT.clientId, SECRET) };
	it.each([
		['GET', { method: 'GET', headers: goodBasic, body: '' }, 405, 'invalid_request', 'notPost'],
		['a JSON body', { method: 'POST', headers: { ...goodBasic, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }, 400, 'invalid_request', 'notForm'],
		['no content type', { method: 'POST', headers: goodBasic, body: form(CC) }, 400, 'invalid_request', 'notForm'],
		['grant_type twice', { method: 'POST', headers: { ...FORM, ...goodBasic }, body: 'grant_type=client_credentials&grant_type=client_credentials' }, 400, 'invalid_request', 'badForm'],
		['a broken escape', { method: 'POST', headers: { ...FORM, ...goodBasic }, body: 'grant_type=client%ZZcredentials' }, 400, 'invalid_request', 'badForm'],
		['no grant_type', post({}, goodBasic), 400, 'invalid_request', 'noGrantType'],
		['password grant without a password', post({ grant_type: 'password', username: 'u' }, goodBasic), 400, 'invalid_request', 'noOwnerCredentials'],
		['Basic and form fields', post({ ...CC, client_id: CLIENT.clientId, client_secret: SECRET }, goodBasic), 400, 'invalid_request', 'twoClientAuthentications'],
		['no client authentication', post(CC), 401, 'invalid_client', 'noClientAuthentication'],
		['a wrong secret in form fields', post({ ...CC, client_id: CLIENT.clientId, client_secret: 'nope' }), 401, 'invalid_client', 'wrongClient'],
		['a client ID without a secret', post({ ...CC, client_id: CLIENT.clientId }), 401, 'invalid_client', 'wrongClient'],
		['a wrong secret in Basic', post(CC, { authorization: basic(CLIENT.clientId, 'nope') }), 401, 'invalid_client', 'wrongClient'],
		['an Authorization header that is not Basic', post(CC, { authorization: 'Bearer abc' }), 401, 'invalid_client', 'badAuthorization'],
		['the other grant', post({ grant_type: 'password', username: 'u', password: 'p' }, goodBasic), 400, 'unsupported_grant_type', 'unsupportedGrant'],
		['an unknown grant', post({ grant_type: 'authorization_code', code: 'x' }, goodBasic), 400, 'unsupported_grant_type', 'unsupportedGrant'],
		['a malformed scope', post({ ...CC, scope: 'a  b' }, goodBasic), 400, 'invalid_scope', 'badScope'],
	])('%s → %i %s', (_case, request, status, error, outcome) => {
		const answer = answerTokenRequest(request as TokenRequest, clientKeys, NOW);
		expect({ status: answer.status, error: answer.body.error, outcome: answer.outcome }).toEqual({ status, error, outcome });
		expect(answer.headers).toMatchObject({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
		expect(typeof answer.body.error_description).toBe('string');
		expect(answer.body.access_token).toBeUndefined();
		expect(answer.headers.Allow).toBe(status === 405 ? 'POST' : undefined);
		// The Basic challenge exactly when an Authorization header was sent and the client was refused.
		const challenged = error === 'invalid_client' && 'authorization' in request.headers;
		expect(answer.headers['WWW-Authenticate']).toBe(challenged ? 'Basic realm="AppDirect Trigger", charset="UTF-8"' : undefined);
	});

	it('a wrong username or password → 400 invalid_grant, the same answer for both', () => {
		const auth = { authorization: basic(CLIENT.clientId, SECRET) };
		const wrongUser = answerTokenRequest(post({ grant_type: 'password', username: 'someone', password: OWNER.password }, auth), ownerKeys, NOW);
		const wrongPassword = answerTokenRequest(post({ grant_type: 'password', username: OWNER.username, password: 'guess' }, auth), ownerKeys, NOW);
		expect(wrongUser).toMatchObject({ status: 400, body: { error: 'invalid_grant' }, outcome: 'wrongOwner' });
		expect(wrongPassword).toEqual(wrongUser);
	});

	it('a wrong client ID and a wrong secret get the same answer', () => {
		const wrongId = answerTokenRequest(post({ grant_type: 'client_credentials' }, { authorization: basic('other', SECRET) }), clientKeys, NOW);
		const wrongSecret = answerTokenRequest(post({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, 'x') }), clientKeys, NOW);
		expect(wrongId).toEqual(wrongSecret);
	});

	it('an incomplete credential issues nothing, even to a client that sends the same empty values', () => {
		const empty = deriveTokenKeys({ grant: 'clientCredentials' as const, clientId: '', clientSecret: '' }, BINDING);
		const answer = answerTokenRequest(post({ grant_type: 'client_credentials' }, { authorization: basic('', '') }), empty, NOW);
		expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' }, outcome: 'notConfigured' });
	});
});
