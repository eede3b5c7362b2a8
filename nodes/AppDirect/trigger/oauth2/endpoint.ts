/*
 * The token endpoint (RFC 6749 §4.4 client credentials and §4.3 resource owner password), as a
 * pure function from a request to an answer. Checks in this order, first failure answers:
 *
 *   not POST                                              405  invalid_request (Allow: POST)
 *   not a form body, a field twice, too long, bad escape  400  invalid_request
 *   no grant_type; password grant without username/password  400  invalid_request
 *   Basic and client_id/client_secret fields together     400  invalid_request
 *   client not authenticated (wrong, missing, malformed,  401  invalid_client, with
 *     another scheme, or the credential incomplete)            WWW-Authenticate: Basic when an
 *                                                              Authorization header was sent
 *   grant_type other than the credential's grant          400  unsupported_grant_type
 *   wrong username or password                            400  invalid_grant
 *   scope malformed, or beyond the credential's scope     400  invalid_scope
 *   otherwise                                             200  access_token, token_type, expires_in
 *                                                              (+ scope when one was asked for)
 *
 * Every answer has Cache-Control: no-store and Pragma: no-cache. Descriptions are fixed texts:
 * an answer never says whether the ID or the secret (the username or the password) was wrong
 * and never repeats anything the request sent.
 */
import { timingSafeEqual } from 'crypto';

import { findHeader } from '../verify';
import { basicCredentials, isFormContentType, parseForm } from './form';
import { issueToken, scopeList, secretDigest, type Grant, type TokenKeys } from './token';

export const TOKEN_REALM = 'AppDirect Trigger';

export interface TokenRequest {
	method: string;
	headers: Record<string, unknown>;
	/** The exact body text. */
	body: string;
}

/** Why a request was answered as it was: for logs and tests, never sent. */
export type TokenOutcome =
	| 'issued'
	| 'notPost'
	| 'notForm'
	| 'badForm'
	| 'noGrantType'
	| 'noOwnerCredentials'
	| 'twoClientAuthentications'
	| 'noClientAuthentication'
	| 'badAuthorization'
	| 'wrongClient'
	| 'notConfigured'
	| 'unsupportedGrant'
	| 'wrongOwner'
	| 'badScope';

export interface TokenAnswer {
	status: number;
	headers: Record<string, string>;
	body: Record<string, string | number>;
	outcome: TokenOutcome;
}

const GRANT_TYPES = new Map<string, Grant>([
	['client_credentials', 'clientCredentials'],
	['password', 'password'],
]);
/** RFC 6749 §3.3: scope tokens are printable ASCII without space, `"` and `\`, one space apart. */
const SCOPE_SHAPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

const NO_STORE = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const DESCRIPTIONS = {
	invalid_request:
		'Send a POST with an application/x-www-form-urlencoded body holding grant_type (and username and password for the password grant), each field once, and authenticate the client one way only',
	invalid_client: 'Client authentication failed',
	unsupported_grant_type: 'This endpoint does not issue tokens for this grant type',
	invalid_grant: 'The resource owner credentials are not valid',
	invalid_scope: 'The requested scope is not valid',
} as const;

type ErrorCode = keyof typeof DESCRIPTIONS;

function refuse(outcome: TokenOutcome, error: ErrorCode, status = 400, extra: Record<string, string> = {}): TokenAnswer {
	return { status, headers: { ...NO_STORE, ...extra }, body: { error, error_description: DESCRIPTIONS[error] }, outcome };
}

function matchesAny(candidates: string[], label: string, expected: Buffer): boolean {
	let found = false;
	for (const candidate of candidates) {
		// No early exit: each reading costs the same whether an earlier one matched.
		found = timingSafeEqual(secretDigest(label, candidate), expected) || found;
	}
	return found;
}

/** Answers one request to the token endpoint of the workflow and node `keys` were derived for. */
export function answerTokenRequest(request: TokenRequest, keys: TokenKeys, nowMs: number): TokenAnswer {
	if (request.method.toUpperCase() !== 'POST') return refuse('notPost', 'invalid_request', 405, { Allow: 'POST' });
	if (!isFormContentType(findHeader(request.headers, 'content-type'))) return refuse('notForm', 'invalid_request');
	const form = parseForm(request.body);
	if (!form.ok) return refuse('badForm', 'invalid_request');
	const fields = form.fields;
	const grantType = fields.get('grant_type');
	if (grantType === undefined) return refuse('noGrantType', 'invalid_request');
	if (grantType === 'password' && (!fields.has('username') || !fields.has('password'))) {
		return refuse('noOwnerCredentials', 'invalid_request');
	}

	const authorization = findHeader(request.headers, 'authorization');
	const formClient = fields.has('client_id') || fields.has('client_secret');
	if (authorization !== undefined && formClient) return refuse('twoClientAuthentications', 'invalid_request');
	const challenge = { 'WWW-Authenticate': `Basic realm="${TOKEN_REALM}", charset="UTF-8"` };
	let client: { ids: string[]; secrets: string[] } | undefined;
	if (authorization !== undefined) {
		client = basicCredentials(authorization);
		if (client === undefined) return refuse('badAuthorization', 'invalid_client', 401, challenge);
	} else if (formClient) {
		client = { ids: [fields.get('client_id') ?? ''], secrets: [fields.get('client_secret') ?? ''] };
	} else {
		return refuse('noClientAuthentication', 'invalid_client', 401);
	}
	const idMatches = matchesAny(client.ids, 'clientId', keys.clientId);
	const secretMatches = matchesAny(client.secrets, 'clientSecret', keys.clientSecret);
	const unauthorized = authorization !== undefined ? challenge : {};
	if (!keys.ready) return refuse('notConfigured', 'invalid_client', 401, unauthorized);
	if (!idMatches || !secretMatches) return refuse('wrongClient', 'invalid_client', 401, unauthorized);

	if (GRANT_TYPES.get(grantType) !== keys.grant) return refuse('unsupportedGrant', 'unsupported_grant_type');
	if (keys.grant === 'password') {
		const userMatches = timingSafeEqual(secretDigest('username', fields.get('username') ?? ''), keys.username);
		const passwordMatches = timingSafeEqual(secretDigest('password', fields.get('password') ?? ''), keys.password);
		if (!userMatches || !passwordMatches) return refuse('wrongOwner', 'invalid_grant');
	}

	const scope = fields.get('scope');
	if (scope !== undefined) {
		if (!SCOPE_SHAPE.test(scope)) return refuse('badScope', 'invalid_scope');
		if (keys.scopes.length > 0 && scopeList(scope).some((asked) => !keys.scopes.includes(asked))) {
			return refuse('badScope', 'invalid_scope');
		}
	}

	const { accessToken, expiresIn } = issueToken(keys, nowMs);
	return {
		status: 200,
		headers: { ...NO_STORE },
		body: {
			access_token: accessToken,
			token_type: 'Bearer',
			expires_in: expiresIn,
			...(scope !== undefined ? { scope } : {}),
		},
		outcome: 'issued',
	};
}
