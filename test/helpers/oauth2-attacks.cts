// Hostile requests to the OAuth2 token endpoint and hostile notifications, each with the answer
// it must get (the tables at the top of endpoint.ts and bearer.ts). Built for one credential and
// one workflow and node, so that the unit tests and the tests in a real n8n run the same list.
// The credential's scope must be "webhooks".
import type { BearerCheck } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import type { TokenOutcome, TokenRequest } from '../../nodes/AppDirect/trigger/oauth2/endpoint';
import { deriveTokenKeys, issueToken, TOKEN_LIFETIME_SECONDS, type TokenBinding } from '../../nodes/AppDirect/trigger/oauth2/token';

export interface AttackSetup {
	now: number;
	binding: TokenBinding;
	clientId: string;
	clientSecret: string;
	username: string;
	password: string;
}

export type Expected = [status: number, error: string, outcome: TokenOutcome];
export type EndpointAttack = [name: string, credential: 'client' | 'owner', request: TokenRequest, expected: Expected];
export type NotificationAttack = [name: string, headers: Record<string, unknown>, query: Record<string, unknown> | undefined, expected: BearerCheck];

/**
 * The corpus for one setup; also the good requests the refusals are variations of, and every
 * spelling of a secret that must never appear in an answer.
 */
export function oauth2Attacks(setup: AttackSetup) {
	const { now: NOW, binding: BINDING, clientId: ID, clientSecret: SECRET, username: USER, password: PASSWORD } = setup;
	const CLIENT = { grant: 'clientCredentials' as const, clientId: ID, clientSecret: SECRET, scope: 'webhooks' };
	const OWNER = { ...CLIENT, grant: 'password' as const, username: USER, password: PASSWORD };
	const SECRETS = [SECRET, PASSWORD, encodeURIComponent(SECRET), Buffer.from(`${ID}:${SECRET}`).toString('base64')];

	const clientKeys = deriveTokenKeys(CLIENT, BINDING);
	const ownerKeys = deriveTokenKeys(OWNER, BINDING);

	const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
	const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
	const basic = (id = ID, secret = SECRET) => `Basic ${b64(`${id}:${secret}`)}`;
	/**
	 * The same bytes in another base64 spelling: the lowest bit of the last character before any
	 * padding is one the decoder ignores when the length leaves spare bits.
	 */
	function respelled(encoded: string, encoding: 'base64' | 'base64url'): string {
		const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${encoding === 'base64' ? '+/' : '-_'}`;
		const end = encoded.replace(/=+$/, '').length - 1;
		const spelled = encoded.slice(0, end) + alphabet[alphabet.indexOf(encoded[end]) ^ 1] + encoded.slice(end + 1);
		if (spelled === encoded || !Buffer.from(spelled, encoding).equals(Buffer.from(encoded, encoding))) throw new Error('not the same bytes');
		return spelled;
	}
	const nonCanonical = (header: string) => `Basic ${respelled(header.slice('Basic '.length), 'base64')}`;
	const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
	const cc = (extra: Record<string, string> = {}) => form({ grant_type: 'client_credentials', ...extra });
	const pw = (extra: Record<string, string> = {}) => form({ grant_type: 'password', username: USER, password: PASSWORD, ...extra });
	const request = (body: string, headers: Record<string, unknown> = { authorization: basic() }, method = 'POST'): TokenRequest => ({
		method,
		headers: { ...FORM, ...headers },
		body,
	});

	const BAD_REQUEST: Expected = [400, 'invalid_request', 'badForm'];
	const NOT_FORM: Expected = [400, 'invalid_request', 'notForm'];
	const WRONG_CLIENT: Expected = [401, 'invalid_client', 'wrongClient'];
	const BAD_AUTHORIZATION: Expected = [401, 'invalid_client', 'badAuthorization'];
	const UNSUPPORTED: Expected = [400, 'unsupported_grant_type', 'unsupportedGrant'];
	const WRONG_OWNER: Expected = [400, 'invalid_grant', 'wrongOwner'];
	const BAD_SCOPE: Expected = [400, 'invalid_scope', 'badScope'];
	const BOTH: Expected = [400, 'invalid_request', 'twoClientAuthentications'];

	const endpointAttacks: EndpointAttack[] = [
		// Wrong client credentials, both ways of sending them.
		['wrong secret in Basic', 'client', request(cc(), { authorization: basic(ID, 'wrong') }), WRONG_CLIENT],
		['wrong client ID in Basic', 'client', request(cc(), { authorization: basic('other', SECRET) }), WRONG_CLIENT],
		['secret one character short in Basic', 'client', request(cc(), { authorization: basic(ID, SECRET.slice(0, -1)) }), WRONG_CLIENT],
		['secret with a character more in Basic', 'client', request(cc(), { authorization: basic(ID, `${SECRET}x`) }), WRONG_CLIENT],
		['secret in other case in Basic', 'client', request(cc(), { authorization: basic(ID, SECRET.toUpperCase()) }), WRONG_CLIENT],
		['client ID in other case', 'client', request(cc(), { authorization: basic(ID.toUpperCase(), SECRET) }), WRONG_CLIENT],
		['ID and secret swapped', 'client', request(cc(), { authorization: basic(SECRET, ID) }), WRONG_CLIENT],
		['empty secret in Basic', 'client', request(cc(), { authorization: basic(ID, '') }), WRONG_CLIENT],
		['empty ID and secret in Basic', 'client', request(cc(), { authorization: basic('', '') }), WRONG_CLIENT],
		['secret with a space around it', 'client', request(cc(), { authorization: basic(ID, ` ${SECRET} `) }), WRONG_CLIENT],
		['wrong secret in form fields', 'client', request(cc({ client_id: ID, client_secret: 'wrong' }), {}), WRONG_CLIENT],
		['wrong ID in form fields', 'client', request(cc({ client_id: 'other', client_secret: SECRET }), {}), WRONG_CLIENT],
		['client_id only', 'client', request(cc({ client_id: ID }), {}), WRONG_CLIENT],
		['client_secret only', 'client', request(cc({ client_secret: SECRET }), {}), WRONG_CLIENT],
		['password grant: wrong secret', 'owner', request(pw(), { authorization: basic(ID, 'wrong') }), WRONG_CLIENT],
		['password grant: wrong client in form', 'owner', request(pw({ client_id: 'x', client_secret: SECRET }), {}), WRONG_CLIENT],
		['no client authentication at all', 'client', request(cc(), {}), [401, 'invalid_client', 'noClientAuthentication']],
		['password grant without client authentication', 'owner', request(pw(), {}), [401, 'invalid_client', 'noClientAuthentication']],
		// Malformed or foreign Authorization headers.
		['Basic without credentials', 'client', request(cc(), { authorization: 'Basic' }), BAD_AUTHORIZATION],
		['Basic and spaces', 'client', request(cc(), { authorization: 'Basic    ' }), BAD_AUTHORIZATION],
		['Basic without a colon', 'client', request(cc(), { authorization: `Basic ${b64(ID + SECRET)}` }), BAD_AUTHORIZATION],
		['Basic that is not base64', 'client', request(cc(), { authorization: 'Basic !!!!' }), BAD_AUTHORIZATION],
		['Basic without its padding', 'client', request(cc(), { authorization: basic().replace(/=+$/, '') }), BAD_AUTHORIZATION],
		['the right credentials in a non-canonical base64', 'client', request(cc(), { authorization: nonCanonical(basic()) }), BAD_AUTHORIZATION],
		['Basic with a line break in it', 'client', request(cc(), { authorization: `Basic ${b64(`${ID}:`)}\n${b64(SECRET)}` }), BAD_AUTHORIZATION],
		['Bearer instead of Basic', 'client', request(cc(), { authorization: `Bearer ${SECRET}` }), BAD_AUTHORIZATION],
		['Digest', 'client', request(cc(), { authorization: 'Digest username="appdirect"' }), BAD_AUTHORIZATION],
		['the secret alone as Authorization', 'client', request(cc(), { authorization: SECRET }), BAD_AUTHORIZATION],
		['an empty Authorization header', 'client', request(cc(), { authorization: '' }), BAD_AUTHORIZATION],
		['a 100 KB Authorization header', 'client', request(cc(), { authorization: `Basic ${'A'.repeat(100_000)}` }), BAD_AUTHORIZATION],
		['a non-ASCII Authorization header', 'client', request(cc(), { authorization: 'Basic ÄÖÜ€漢字' }), BAD_AUTHORIZATION],
		['Basic holding non-UTF-8 bytes', 'client', request(cc(), { authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc3]).toString('base64')}` }), WRONG_CLIENT],
		['Basic holding a non-ASCII secret', 'client', request(cc(), { authorization: basic(ID, 'sécret漢字') }), WRONG_CLIENT],
		['Basic holding a NUL byte', 'client', request(cc(), { authorization: basic(ID, `${SECRET}\u0000`) }), WRONG_CLIENT],
		['Basic holding a broken escape', 'client', request(cc(), { authorization: basic(ID, '%E0%A4%A') }), WRONG_CLIENT],
		['lower-case basic with a wrong secret', 'client', request(cc(), { authorization: basic(ID, 'x').replace('Basic', 'basic') }), WRONG_CLIENT],
		// Both ways of client authentication at once.
		['Basic and form secret', 'client', request(cc({ client_id: ID, client_secret: SECRET })), BOTH],
		['Basic and form client_id', 'client', request(cc({ client_id: ID })), BOTH],
		['Basic and form client_secret', 'client', request(cc({ client_secret: SECRET })), BOTH],
		['wrong Basic and right form', 'client', request(cc({ client_id: ID, client_secret: SECRET }), { authorization: basic(ID, 'x') }), BOTH],
		['password grant: Basic and form', 'owner', request(pw({ client_id: ID, client_secret: SECRET })), BOTH],
		// Grants.
		['grant authorization_code', 'client', request(form({ grant_type: 'authorization_code', code: 'x' })), UNSUPPORTED],
		['grant refresh_token', 'client', request(form({ grant_type: 'refresh_token', refresh_token: 'x' })), UNSUPPORTED],
		['grant implicit', 'client', request(form({ grant_type: 'implicit' })), UNSUPPORTED],
		['grant token exchange', 'client', request(form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' })), UNSUPPORTED],
		['grant jwt-bearer', 'client', request(form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' })), UNSUPPORTED],
		['grant in capitals', 'client', request(form({ grant_type: 'CLIENT_CREDENTIALS' })), UNSUPPORTED],
		['grant with a trailing space', 'client', request(form({ grant_type: 'client_credentials ' })), UNSUPPORTED],
		['grant __proto__', 'client', request(form({ grant_type: '__proto__' })), UNSUPPORTED],
		['grant constructor', 'client', request(form({ grant_type: 'constructor' })), UNSUPPORTED],
		['grant toString', 'client', request(form({ grant_type: 'toString' })), UNSUPPORTED],
		['password grant to a client-credentials credential', 'client', request(pw()), UNSUPPORTED],
		['client credentials to a password credential', 'owner', request(cc()), UNSUPPORTED],
		['unknown grant with a wrong secret', 'client', request(form({ grant_type: 'magic' }), { authorization: basic(ID, 'x') }), WRONG_CLIENT],
		// Resource owner.
		['wrong password', 'owner', request(pw({ password: 'guess' })), WRONG_OWNER],
		['wrong username', 'owner', request(pw({ username: 'admin' })), WRONG_OWNER],
		['username and password swapped', 'owner', request(pw({ username: PASSWORD, password: USER })), WRONG_OWNER],
		['password in other case', 'owner', request(pw({ password: PASSWORD.toUpperCase() })), WRONG_OWNER],
		['password with a trailing space', 'owner', request(pw({ password: `${PASSWORD} ` })), WRONG_OWNER],
		['the client secret as password', 'owner', request(pw({ password: SECRET })), WRONG_OWNER],
		['a non-ASCII password', 'owner', request(pw({ password: 'pässwörd漢' })), WRONG_OWNER],
		['a 4 KB password', 'owner', request(pw({ password: 'p'.repeat(4000) })), WRONG_OWNER],
		['password grant without username', 'owner', request(form({ grant_type: 'password', password: PASSWORD })), [400, 'invalid_request', 'noOwnerCredentials']],
		['password grant without password', 'owner', request(form({ grant_type: 'password', username: USER })), [400, 'invalid_request', 'noOwnerCredentials']],
		['password grant with an empty password', 'owner', request(`grant_type=password&username=${USER}&password=`), [400, 'invalid_request', 'noOwnerCredentials']],
		// Missing, duplicated and broken fields.
		['no grant_type', 'client', request(form({ scope: 'webhooks' })), [400, 'invalid_request', 'noGrantType']],
		['an empty body', 'client', request(''), [400, 'invalid_request', 'noGrantType']],
		['an empty grant_type', 'client', request('grant_type='), [400, 'invalid_request', 'noGrantType']],
		['grant_type twice', 'client', request(`${cc()}&grant_type=client_credentials`), BAD_REQUEST],
		['grant_type twice, different', 'client', request(`${cc()}&grant_type=password`), BAD_REQUEST],
		['client_secret twice', 'client', request(`${cc({ client_id: ID, client_secret: SECRET })}&client_secret=x`, {}), BAD_REQUEST],
		['client_id twice', 'client', request(`${cc({ client_id: ID, client_secret: SECRET })}&client_id=${ID}`, {}), BAD_REQUEST],
		['username twice', 'owner', request(`${pw()}&username=admin`), BAD_REQUEST],
		['password twice', 'owner', request(`${pw()}&password=${PASSWORD}`), BAD_REQUEST],
		['scope twice', 'client', request(`${cc({ scope: 'webhooks' })}&scope=webhooks`), BAD_REQUEST],
		['a field name escaped to a duplicate', 'client', request(`${cc()}&grant%5Ftype=client_credentials`), BAD_REQUEST],
		['a broken escape in a value', 'client', request('grant_type=client%ZZcredentials'), BAD_REQUEST],
		['a truncated UTF-8 escape', 'client', request(`${cc()}&x=%E0%A4%A`), BAD_REQUEST],
		['a lone percent sign', 'client', request(`${cc()}&x=%`), BAD_REQUEST],
		['a body over 8 KB', 'client', request(`${cc()}&pad=${'a'.repeat(9000)}`), BAD_REQUEST],
		['more than 32 fields', 'client', request(`${cc()}&${Array.from({ length: 40 }, (_, i) => `f${i}=1`).join('&')}`), BAD_REQUEST],
		['a JSON body', 'client', request(JSON.stringify({ grant_type: 'client_credentials' }), { authorization: basic(), 'content-type': 'application/json' }), NOT_FORM],
		['text/plain', 'client', request(cc(), { authorization: basic(), 'content-type': 'text/plain' }), NOT_FORM],
		['multipart', 'client', request(cc(), { authorization: basic(), 'content-type': 'multipart/form-data; boundary=x' }), NOT_FORM],
		['a content type that only starts like a form', 'client', request(cc(), { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded-evil' }), NOT_FORM],
		['an empty content type', 'client', request(cc(), { authorization: basic(), 'content-type': '' }), NOT_FORM],
		// Scope.
		['a scope the credential does not allow', 'client', request(cc({ scope: 'admin' })), BAD_SCOPE],
		['an allowed scope and one more', 'client', request(cc({ scope: 'webhooks admin' })), BAD_SCOPE],
		['a scope with a quote', 'client', request(cc({ scope: 'web"hooks' })), BAD_SCOPE],
		['a scope with a backslash', 'client', request(cc({ scope: 'web\\hooks' })), BAD_SCOPE],
		['a scope with two spaces', 'client', request(cc({ scope: 'webhooks  webhooks' })), BAD_SCOPE],
		['a non-ASCII scope', 'client', request(cc({ scope: 'wébhooks' })), BAD_SCOPE],
		['a scope with a line break', 'client', request(cc({ scope: 'webhooks\nadmin' })), BAD_SCOPE],
		// Methods.
		...['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'].map(
			(method): [string, 'client', TokenRequest, Expected] => [`method ${method}`, 'client', request(cc(), undefined, method), [405, 'invalid_request', 'notPost']],
		),
	];

	// Notifications.
	const keys = clientKeys;
	const good = issueToken(keys, NOW).accessToken;
	const [payload, mac] = good.split('.');
	const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
	const other = issueToken(keys, NOW).accessToken;
	const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

	const notificationAttacks: NotificationAttack[] = [
		['no Authorization header', {}, undefined, 'missing'],
		['an empty Authorization header', { authorization: '' }, undefined, 'missing'],
		['only spaces', { authorization: '   ' }, undefined, 'missing'],
		['the webhook token header instead', { 'x-appdirect-webhook-token': good }, undefined, 'missing'],
		['the token in the query string only', {}, { access_token: good }, 'inQuery'],
		['the token in the query string and the header', bearer(good), { access_token: good }, 'inQuery'],
		['an empty access_token query parameter', bearer(good), { access_token: '' }, 'inQuery'],
		['Bearer without a token', { authorization: 'Bearer' }, undefined, 'malformed'],
		['the token without a scheme', { authorization: good }, undefined, 'malformed'],
		['Basic with the token', { authorization: `Basic ${good}` }, undefined, 'malformed'],
		['a tab instead of a space', { authorization: `Bearer\t${good}` }, undefined, 'malformed'],
		['two tokens', { authorization: `Bearer ${good} ${other}` }, undefined, 'malformed'],
		['two tokens joined with a comma', { authorization: `Bearer ${good}, Bearer ${other}` }, undefined, 'malformed'],
		['a 100 KB header', { authorization: `Bearer ${'A'.repeat(100_000)}` }, undefined, 'malformed'],
		['a 100 KB header that starts with the token', { authorization: `Bearer ${good}${'A'.repeat(100_000)}` }, undefined, 'malformed'],
		['a non-ASCII header', { authorization: 'Bearer ÄÖÜ€漢字' }, undefined, 'malformed'],
		['a non-ASCII token of the right length', bearer(`${'é'.repeat(28)}.${'ü'.repeat(43)}`), undefined, 'malformed'],
		['a NUL byte in the token', bearer(`${good.slice(0, -1)}\u0000`), undefined, 'malformed'],
		['a truncated token', bearer(good.slice(0, -1)), undefined, 'malformed'],
		['half a token', bearer(good.slice(0, 36)), undefined, 'malformed'],
		['a token with a character more', bearer(`${good}A`), undefined, 'malformed'],
		['a token with padding', bearer(`${good}=`), undefined, 'malformed'],
		['the signature only', bearer(mac), undefined, 'malformed'],
		['the payload only', bearer(payload), undefined, 'malformed'],
		['the dot removed', bearer(payload + mac), undefined, 'malformed'],
		['a JSON token', bearer('{"sub":"appdirect","exp":9999999999}'), undefined, 'malformed'],
		['a JWT-looking token', bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'), undefined, 'malformed'],
		['the client secret as token', bearer(SECRET), undefined, 'malformed'],
		['a header given as a number', { authorization: 12345 }, undefined, 'missing'],
		['a header given as an object', { authorization: { token: good } }, undefined, 'missing'],
		...[0, 5, 13, 27].map((at): [string, Record<string, unknown>, undefined, BearerCheck] => [`the payload changed at ${at}`, bearer(`${flip(payload, at)}.${mac}`), undefined, 'invalid']),
		...[0, 10, 21, 41].map((at): [string, Record<string, unknown>, undefined, BearerCheck] => [`the signature changed at ${at}`, bearer(`${payload}.${flip(mac, at)}`), undefined, 'invalid']),
		['the signature in another spelling of the same bytes', bearer(`${payload}.${respelled(mac, 'base64url')}`), undefined, 'invalid'],
		['another token’s signature on this payload', bearer(`${payload}.${other.split('.')[1]}`), undefined, 'invalid'],
		['this signature on another token’s payload', bearer(`${other.split('.')[0]}.${mac}`), undefined, 'invalid'],
		['a token of another workflow', bearer(issueToken(deriveTokenKeys(CLIENT, { ...BINDING, workflowId: 'wf-2' }), NOW).accessToken), undefined, 'invalid'],
		['a token of another node', bearer(issueToken(deriveTokenKeys(CLIENT, { ...BINDING, nodeId: 'node-b' }), NOW).accessToken), undefined, 'invalid'],
		['a token from before the secret changed', bearer(issueToken(deriveTokenKeys({ ...CLIENT, clientSecret: 'old-secret' }, BINDING), NOW).accessToken), undefined, 'invalid'],
		['a token from before the client ID changed', bearer(issueToken(deriveTokenKeys({ ...CLIENT, clientId: 'old' }, BINDING), NOW).accessToken), undefined, 'invalid'],
		['a token of the password grant with the same client', bearer(issueToken(ownerKeys, NOW).accessToken), undefined, 'invalid'],
		['a token signed with a guessed secret', bearer(issueToken(deriveTokenKeys({ ...CLIENT, clientSecret: 'secret' }, BINDING), NOW).accessToken), undefined, 'invalid'],
		['an expired token', bearer(issueToken(keys, NOW - TOKEN_LIFETIME_SECONDS * 1000).accessToken), undefined, 'expired'],
		['a token expired a day ago', bearer(issueToken(keys, NOW - 86_400_000).accessToken), undefined, 'expired'],
		['an expired token of another workflow', bearer(issueToken(deriveTokenKeys(CLIENT, { ...BINDING, workflowId: 'wf-2' }), NOW - 86_400_000).accessToken), undefined, 'invalid'],
	];

	return {
		endpointAttacks,
		notificationAttacks,
		secrets: SECRETS,
		clientKeys,
		ownerKeys,
		goodToken: good,
		goodClientRequest: request(cc({ scope: 'webhooks' })),
		goodOwnerRequest: request(pw()),
	};
}
