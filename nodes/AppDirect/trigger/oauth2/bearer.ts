/*
 * The check of a notification sent with an OAuth2 type: `Authorization: Bearer <token>` carrying
 * a token the token endpoint issued for this workflow and node. A token in the query string
 * (`access_token`, RFC 6750 §2.3) is refused even with a good header: URLs end up in logs. Every
 * failure gets the same answer (BEARER_REFUSAL); the reason is only for the node's own log.
 */
import { CredentialCache, type TokenCacheOptions } from '../token-cache';
import { findHeader } from '../verify';
import { answerTokenRequest, TOKEN_REALM, type TokenAnswer, type TokenRequest } from './endpoint';
import { MAX_AUTHORIZATION_CHARS } from './form';
import { verifyToken, type TokenKeys } from './token';

export type BearerCheck = 'valid' | 'missing' | 'malformed' | 'invalid' | 'expired' | 'inQuery' | 'notConfigured';

export interface BearerRequest {
	headers: Record<string, unknown>;
	query?: Record<string, unknown>;
}

/** The one answer to a notification whose bearer token is missing, wrong, expired or misplaced. */
export const BEARER_REFUSAL = {
	status: 401,
	headers: { 'WWW-Authenticate': `Bearer realm="${TOKEN_REALM}"`, 'Cache-Control': 'no-store' },
	body: {
		error: 'Unauthorized',
		message: 'Send an Authorization: Bearer header with an unexpired access token from this trigger’s Access Token URI',
	},
} as const;

/**
 * The token of an `Authorization: Bearer` header. The scheme is case-insensitive and may be
 * followed by several spaces (RFC 9110 §11); anything else is undefined.
 */
export function bearerToken(header: string | undefined): string | undefined {
	if (header === undefined || header.length > MAX_AUTHORIZATION_CHARS) return undefined;
	const match = /^bearer +([^ ]+)$/i.exec(header.trim());
	return match?.[1];
}

export function checkBearer(request: BearerRequest, keys: TokenKeys, nowMs: number): BearerCheck {
	if (request.query !== undefined && Object.prototype.hasOwnProperty.call(request.query, 'access_token')) return 'inQuery';
	if (!keys.ready) return 'notConfigured';
	const header = findHeader(request.headers, 'authorization');
	if (header === undefined || header.trim().length === 0) return 'missing';
	const token = bearerToken(header);
	if (token === undefined) return 'malformed';
	return verifyToken(token, keys, nowMs);
}

/**
 * Both checks with the credential read at most once per TOKEN_MAX_AGE_MS per workflow, node and
 * credential (see CredentialCache). A token or a client secret that does not match may have been
 * made with a credential changed since: it re-reads the credential, at most once per
 * TOKEN_RECHECK_MS. `readKeys` reads the credential and derives the keys (deriveTokenKeys).
 */
export class TokenKeyCache {
	private readonly memory: CredentialCache<TokenKeys>;
	private readonly now: () => number;

	constructor(options: TokenCacheOptions = {}) {
		this.memory = new CredentialCache(options);
		this.now = options.now ?? Date.now;
	}

	async checkBearer(key: string, request: BearerRequest, readKeys: () => Promise<TokenKeys>): Promise<BearerCheck> {
		return await this.memory.use(
			key,
			readKeys,
			(keys) => checkBearer(request, keys, this.now()),
			(result) => result === 'invalid' || result === 'notConfigured',
		);
	}

	async answerTokenRequest(key: string, request: TokenRequest, readKeys: () => Promise<TokenKeys>): Promise<TokenAnswer> {
		return await this.memory.use(
			key,
			readKeys,
			(keys) => answerTokenRequest(request, keys, this.now()),
			(answer) => ['wrongClient', 'notConfigured', 'unsupportedGrant', 'wrongOwner', 'badScope'].includes(answer.outcome),
		);
	}

	/** How many credentials are remembered (for tests). */
	get size(): number {
		return this.memory.size;
	}
}
