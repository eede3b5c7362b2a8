import { BEARER_REFUSAL, bearerToken, checkBearer, TokenKeyCache } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import { deriveTokenKeys, issueToken, TOKEN_LIFETIME_SECONDS, type OAuth2Credential } from '../../nodes/AppDirect/trigger/oauth2/token';
import { TOKEN_MAX_AGE_MS, TOKEN_RECHECK_MS } from '../../nodes/AppDirect/trigger/token-cache';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const BINDING = { workflowId: 'wf-1', nodeId: 'node-a' };
const CLIENT = { grant: 'clientCredentials' as const, clientId: 'appdirect', clientSecret: 'cs_4f9a1c7e2b8d6053aa41f0c9e7b2d81' };
const ROTATED = { ...CLIENT, clientSecret: 'cs_new_0a1b2c3d4e5f60718293a4b5c6d7e8f' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('bearerToken', () => {
	it.each([
		['Bearer abc', 'abc'],
		['bearer abc', 'abc'],
		['BEARER abc', 'abc'],
		['Bearer   abc', 'abc'],
		['  Bearer abc  ', 'abc'],
		['Bearer', undefined],
		['Bearer ', undefined],
		['Bearer a b', undefined],
		['Bearer\tabc', undefined],
		['Basic abc', undefined],
		['Bearerabc', undefined],
		[undefined, undefined],
		[`Bearer ${'a'.repeat(5000)}`, undefined],
	])('%j → %j', (header, token) => {
		expect(bearerToken(header)).toBe(token);
	});
});

describe('checkBearer', () => {
	const keys = deriveTokenKeys(CLIENT, BINDING);
	const token = issueToken(keys, START).accessToken;
	it.each([
		['a token of this workflow and node', { authorization: `Bearer ${token}` }, undefined, 'valid'],
		['no Authorization header', {}, undefined, 'missing'],
		['an empty Authorization header', { authorization: '' }, undefined, 'missing'],
		['the token without the scheme', { authorization: token }, undefined, 'malformed'],
		['the token in the query string', {}, { access_token: token }, 'inQuery'],
		['the token in the query string beside a good header', { authorization: `Bearer ${token}` }, { access_token: token }, 'inQuery'],
		['other query parameters', { authorization: `Bearer ${token}` }, { id: '1' }, 'valid'],
	])('%s → %s', (_case, headers, query, expected) => {
		expect(checkBearer({ headers, query }, keys, START)).toBe(expected);
	});

	it('the refusal says nothing about why, and names the scheme', () => {
		expect(BEARER_REFUSAL.status).toBe(401);
		expect(BEARER_REFUSAL.headers['WWW-Authenticate']).toBe('Bearer realm="AppDirect Trigger"');
		expect(JSON.stringify(BEARER_REFUSAL.body)).not.toMatch(/\bexpired|workflow|secret|signature|query/i);
	});
});

/** A credential the test can change, counting reads; and a cache on a clock the test moves. */
function setup(initial: OAuth2Credential = CLIENT) {
	const clock = { now: START };
	const state = { credential: initial as OAuth2Credential | Error, reads: 0 };
	const readKeys = async () => {
		state.reads += 1;
		if (state.credential instanceof Error) throw state.credential;
		return deriveTokenKeys(state.credential, BINDING);
	};
	const cache = new TokenKeyCache({ now: () => clock.now });
	const notify = (token: string) => cache.checkBearer('wf-1/node-a/cred-1', { headers: { authorization: `Bearer ${token}` } }, readKeys);
	const requestToken = (credential: Record<string, string>) =>
		cache.answerTokenRequest(
			'wf-1/node-a/cred-1',
			{ method: 'POST', headers: { ...FORM, authorization: basic(credential.clientId, credential.clientSecret) }, body: 'grant_type=client_credentials' },
			readKeys,
		);
	return { clock, state, readKeys, cache, notify, requestToken };
}

describe('TokenKeyCache', () => {
	it('a token from the endpoint is accepted on notifications, with one credential read for all', async () => {
		const { state, notify, requestToken } = setup();
		const answer = await requestToken(CLIENT);
		expect(answer.status).toBe(200);
		for (let i = 0; i < 100; i++) expect(await notify(String(answer.body.access_token))).toBe('valid');
		expect(state.reads).toBe(1);
	});

	it('another process (another cache) accepts the token: nothing is shared but the credential', async () => {
		const issuing = setup();
		const checking = setup();
		const token = String((await issuing.requestToken(CLIENT)).body.access_token);
		expect(await checking.notify(token)).toBe('valid');
	});

	it('a changed secret: old tokens stop within TOKEN_MAX_AGE_MS, new ones work at once after TOKEN_RECHECK_MS', async () => {
		const { clock, state, notify, requestToken } = setup();
		const old = String((await requestToken(CLIENT)).body.access_token);
		state.credential = ROTATED;
		// The new secret, used within TOKEN_RECHECK_MS of the last read, is refused from memory.
		expect((await requestToken(ROTATED)).status).toBe(401);
		clock.now += TOKEN_RECHECK_MS;
		const fresh = await requestToken(ROTATED);
		expect(fresh.status).toBe(200);
		expect(await notify(String(fresh.body.access_token))).toBe('valid');
		expect(await notify(old)).toBe('invalid');
		expect((await requestToken(CLIENT)).status).toBe(401);

		// A process that saw no request with the new secret keeps the old key at most TOKEN_MAX_AGE_MS.
		const other = setup();
		const before = String((await other.requestToken(CLIENT)).body.access_token);
		other.state.credential = ROTATED;
		other.clock.now += TOKEN_MAX_AGE_MS - 1;
		expect(await other.notify(before)).toBe('valid');
		other.clock.now += 1;
		expect(await other.notify(before)).toBe('invalid');
	});

	it('a token signed with a rotated key by another process is accepted once the key here is TOKEN_RECHECK_MS old', async () => {
		const { clock, state, notify, requestToken } = setup();
		await requestToken(CLIENT);
		state.credential = ROTATED;
		const elsewhere = issueToken(deriveTokenKeys(ROTATED, BINDING), clock.now).accessToken;
		expect(await notify(elsewhere)).toBe('invalid');
		clock.now += TOKEN_RECHECK_MS;
		expect(await notify(elsewhere)).toBe('valid');
		expect(state.reads).toBe(2);
	});

	it('floods of wrong tokens and wrong secrets read the credential at most once per TOKEN_RECHECK_MS', async () => {
		const { clock, state, notify, requestToken } = setup();
		const durationMs = 20_000;
		const forged = issueToken(deriveTokenKeys({ ...CLIENT, clientSecret: 'guess' }, BINDING), START).accessToken;
		for (let t = 0; t < durationMs; t += 10) {
			clock.now += 10;
			expect(await notify(forged)).toBe('invalid');
			expect((await requestToken({ ...CLIENT, clientSecret: `guess-${t}` })).status).toBe(401);
			expect(await notify('not-a-token')).toBe('malformed');
		}
		expect(state.reads).toBeLessThanOrEqual(durationMs / TOKEN_RECHECK_MS + 1);
	});

	it('expired and malformed tokens do not re-read the credential', async () => {
		const { clock, state, notify, requestToken } = setup();
		const token = String((await requestToken(CLIENT)).body.access_token);
		clock.now += TOKEN_LIFETIME_SECONDS * 1000;
		// The key is re-read once because it is older than TOKEN_MAX_AGE_MS; then not again before that age.
		expect(await notify(token)).toBe('expired');
		const reads = state.reads;
		for (let i = 0; i < TOKEN_MAX_AGE_MS / TOKEN_RECHECK_MS - 1; i++) {
			clock.now += TOKEN_RECHECK_MS;
			expect(await notify(token)).toBe('expired');
			expect(await notify('x')).toBe('malformed');
		}
		expect(state.reads).toBe(reads);
	});

	it('a credential that cannot be read: the error reaches the caller, again for TOKEN_RECHECK_MS', async () => {
		const { clock, state, notify } = setup();
		const gone = new Error('Credential with ID "cred-1" does not exist');
		state.credential = gone;
		await expect(notify('x')).rejects.toBe(gone);
		await expect(notify('y')).rejects.toBe(gone);
		expect(state.reads).toBe(1);
		clock.now += TOKEN_RECHECK_MS;
		state.credential = CLIENT;
		expect(await notify('x')).toBe('malformed');
		expect(state.reads).toBe(2);
	});
});
