// AppDirect's side of the two OAuth2 webhook authentication types: before a notification it asks
// the receiver's Access Token URI for a token (RFC 6749 client credentials or resource owner
// password grant), then sends `Authorization: Bearer <token>`. A token is reused until its
// `expires_in` has passed; a notification answered 401 drops it, so the next attempt fetches a
// new one. Concurrent notifications share one token request.
//
// AppDirect does not document whether the client ID and secret go in an HTTP Basic header or in
// form fields, so both are here: clientAuthentication 'basic' (the default, as AppDirect's other
// OAuth2 flows do) or 'form'.

export const GRANT_TYPES = { clientCredentials: 'client_credentials', password: 'password' };

/** application/x-www-form-urlencoded encoding of one value (spaces as '+'). */
function formEncode(value) {
	return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The headers and body of one token request. */
export function tokenRequest({ clientId, clientSecret, grant = 'clientCredentials', username, password, scope, clientAuthentication = 'basic' }) {
	if (!(grant in GRANT_TYPES)) throw new Error(`oauth2: grant must be ${Object.keys(GRANT_TYPES).join(' or ')}, got "${grant}"`);
	if (clientAuthentication !== 'basic' && clientAuthentication !== 'form') {
		throw new Error(`oauth2: clientAuthentication must be basic or form, got "${clientAuthentication}"`);
	}
	const fields = new URLSearchParams({ grant_type: GRANT_TYPES[grant] });
	if (grant === 'password') {
		fields.set('username', username ?? '');
		fields.set('password', password ?? '');
	}
	if (scope) fields.set('scope', scope);
	const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
	if (clientAuthentication === 'basic') {
		// RFC 6749 §2.3.1: each part form-encoded, then Basic.
		const pair = `${formEncode(clientId ?? '')}:${formEncode(clientSecret ?? '')}`;
		headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
	} else {
		fields.set('client_id', clientId ?? '');
		fields.set('client_secret', clientSecret ?? '');
	}
	return { headers, body: fields.toString() };
}

/** The token of a successful answer, or why the answer is not one. */
export function readTokenAnswer(result) {
	if (result.status !== 200) return { problem: `token endpoint answered ${result.status}` };
	let answer;
	try {
		answer = JSON.parse(result.text);
	} catch {
		return { problem: 'token endpoint answered with no JSON' };
	}
	if (typeof answer?.access_token !== 'string' || answer.access_token.length === 0) return { problem: 'no access_token in the answer' };
	if (typeof answer.token_type !== 'string' || answer.token_type.toLowerCase() !== 'bearer') return { problem: 'token_type is not Bearer' };
	const expiresIn = Number.isFinite(answer.expires_in) && answer.expires_in > 0 ? answer.expires_in : null;
	return { token: answer.access_token, expiresIn };
}

/**
 * options: tokenUrl, clientId, clientSecret, grant ('clientCredentials' | 'password'), username,
 * password, scope, clientAuthentication ('basic' | 'form'), now [performance-independent clock, Date.now].
 * `send(url, body, headers)` posts and resolves (never rejects) like the delivery's own requests:
 * { status, text } or { error } or { timedOut }.
 */
export function createTokenClient(options, send) {
	if (typeof options.tokenUrl !== 'string') throw new Error('oauth2: give tokenUrl');
	const request = tokenRequest(options);
	const now = options.now ?? Date.now;
	let current = null; // { token, expiresAt }
	let pending = null;
	const requests = [];

	async function fetchToken() {
		const result = await send(options.tokenUrl, Buffer.from(request.body), request.headers);
		const read = result.status === undefined ? { problem: result.timedOut ? 'token request timed out' : `token request failed: ${result.error}` } : readTokenAnswer(result);
		// The answer text is kept only when it holds no token.
		requests.push({ status: result.status ?? null, ok: read.token !== undefined, ...(read.problem ? { problem: read.problem, answer: result.text?.slice(0, 300) ?? null } : {}) });
		if (read.token === undefined) return { ok: false, status: result.status ?? null, problem: read.problem, answer: result.text ?? null };
		current = { token: read.token, expiresAt: read.expiresIn === null ? Infinity : now() + read.expiresIn * 1000 };
		return { ok: true, token: read.token };
	}

	return {
		/** A token still valid by its expires_in, or a new one. */
		async token() {
			if (current !== null && now() < current.expiresAt) return { ok: true, token: current.token };
			current = null;
			pending ??= fetchToken().finally(() => {
				pending = null;
			});
			return await pending;
		},
		/** After a 401: this token is not used again (a newer one is kept). */
		discard(token) {
			if (current?.token === token) current = null;
		},
		requests,
	};
}
