/*
 * Access tokens for AppDirect's two OAuth2 webhook authentication types.
 *
 * Why stateless: in queue mode AppDirect may fetch a token from one webhook process and send the
 * notification to another, and n8n gives a node no store that every process shares cheaply. So a
 * token carries its own expiry and a signature (HMAC-SHA256) that any process holding the same
 * credential can check, with nothing remembered per token.
 *
 * The binding: the signing key is derived (HKDF-SHA256) from the credential (grant, client ID,
 * client secret, and username and password for the password grant) and from the workflow ID and
 * the trigger node's ID. A token issued for one workflow or node is refused by every other, even
 * when they share the credential; there is no list of issued tokens to look up.
 *
 * Rotation: changing any of those credential fields changes the key, so every token issued with
 * the old one is refused from then on (AppDirect fetches a new one after a 401). There is no way
 * to revoke a single token: it lives until its expiry (TOKEN_LIFETIME_SECONDS).
 *
 * The cache trade-off: reading a credential in n8n is expensive, so the derived keys are kept in
 * memory for a few seconds (see CredentialCache). After a change of the credential the old tokens
 * stay valid in a process for at most that long, and a token signed with the new key is accepted
 * at once (a mismatch re-reads the credential, at most once a second).
 *
 * What the secret must be: a token is a proof signed with a key derived from the client secret
 * (and password), so whoever sees a token can try guesses of the secret offline. Use a long
 * random client secret; the credential test refuses short ones.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'crypto';

export type Grant = 'clientCredentials' | 'password';

/** How long an access token is valid; AppDirect is told so with `expires_in`. */
export const TOKEN_LIFETIME_SECONDS = 3600;

/** Which workflow and trigger node a token is for. */
export interface TokenBinding {
	workflowId: string;
	nodeId: string;
}

/**
 * What the trigger keeps from its OAuth2 credential: the signing key and keyed hashes of the
 * client ID, secret, username and password (the key is random per process). No secret itself.
 */
export interface TokenKeys {
	grant: Grant;
	/** False when a field the grant needs is empty: nothing is accepted then. */
	ready: boolean;
	signingKey: Buffer;
	clientId: Buffer;
	clientSecret: Buffer;
	username: Buffer;
	password: Buffer;
	/** The scopes the credential allows; empty: any scope a client asks for. */
	scopes: string[];
}

export type TokenCheck = 'valid' | 'malformed' | 'invalid' | 'expired';

/** The grant (the trigger's authentication choice) with the fields of the credential. */
export type OAuth2Credential = { grant: Grant } & Record<string, unknown>;

const VERSION = 1;
const PAYLOAD_BYTES = 1 + 4 + 16; // version, expiry in seconds, random id
const PAYLOAD_CHARS = 28; // base64url of 21 bytes, no padding bits
const MAC_CHARS = 43; // base64url of 32 bytes
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{28}\.[A-Za-z0-9_-]{43}$/;
const KEY_SALT = 'n8n-nodes-appdirect webhook access token';
const MAC_LABEL = 'appdirect-webhook-access-token.';
/** How far a token's expiry may lie in the future: more means it was not issued here. */
const MAX_EXPIRY_AHEAD_SECONDS = TOKEN_LIFETIME_SECONDS + 300;

const hashKey = randomBytes(32);

/** Each part with its length first, so that ("ab", "c") and ("a", "bc") never encode alike. */
function lengthPrefixed(parts: string[]): Buffer {
	return Buffer.concat(
		parts.flatMap((part) => {
			const bytes = Buffer.from(part, 'utf8');
			const length = Buffer.alloc(4);
			length.writeUInt32BE(bytes.length);
			return [length, bytes];
		}),
	);
}

/** A keyed hash of a secret, to compare received values with in constant time. */
export function secretDigest(label: string, value: string): Buffer {
	return createHmac('sha256', hashKey).update(lengthPrefixed([label, value])).digest();
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** Splits a space-separated scope list; duplicates and empty parts are dropped. */
export function scopeList(value: string): string[] {
	return [...new Set(value.split(' ').filter((scope) => scope.length > 0))];
}

/**
 * Derives what the trigger needs for one workflow and node from the grant (the trigger's
 * authentication choice) and the credential's fields `clientId`, `clientSecret`, `username`,
 * `password` and `scope`. Any other field and any non-text value is ignored.
 */
export function deriveTokenKeys(credential: OAuth2Credential, binding: TokenBinding): TokenKeys {
	const grant: Grant = credential.grant === 'password' ? 'password' : 'clientCredentials';
	const clientId = text(credential.clientId);
	const clientSecret = text(credential.clientSecret);
	const username = grant === 'password' ? text(credential.username) : '';
	const password = grant === 'password' ? text(credential.password) : '';
	const ready =
		clientId.length > 0 && clientSecret.length > 0 && (grant === 'clientCredentials' || (username.length > 0 && password.length > 0));
	const material = lengthPrefixed([grant, clientId, clientSecret, username, password]);
	const info = lengthPrefixed([binding.workflowId, binding.nodeId]);
	return {
		grant,
		ready,
		signingKey: Buffer.from(hkdfSync('sha256', material, KEY_SALT, info, 32)),
		clientId: secretDigest('clientId', clientId),
		clientSecret: secretDigest('clientSecret', clientSecret),
		username: secretDigest('username', username),
		password: secretDigest('password', password),
		scopes: scopeList(text(credential.scope).trim()),
	};
}

function signature(signingKey: Buffer, payload: string): string {
	return createHmac('sha256', signingKey).update(MAC_LABEL + payload, 'ascii').digest('base64url');
}

/** A new access token, valid for TOKEN_LIFETIME_SECONDS from `nowMs`. */
export function issueToken(keys: TokenKeys, nowMs: number): { accessToken: string; expiresIn: number } {
	const payload = Buffer.alloc(PAYLOAD_BYTES);
	payload.writeUInt8(VERSION, 0);
	payload.writeUInt32BE(Math.floor(nowMs / 1000) + TOKEN_LIFETIME_SECONDS, 1);
	randomBytes(16).copy(payload, 5);
	const encoded = payload.toString('base64url');
	return { accessToken: `${encoded}.${signature(keys.signingKey, encoded)}`, expiresIn: TOKEN_LIFETIME_SECONDS };
}

/**
 * Whether `token` was issued with these keys and has not expired. Never throws: any string (or
 * anything else) that is not exactly a token's shape is `malformed`; the signature is compared
 * in constant time before the expiry is read.
 */
export function verifyToken(token: unknown, keys: TokenKeys, nowMs: number): TokenCheck {
	if (typeof token !== 'string' || token.length !== PAYLOAD_CHARS + 1 + MAC_CHARS || !TOKEN_SHAPE.test(token)) {
		return 'malformed';
	}
	const payload = token.slice(0, PAYLOAD_CHARS);
	const expected = Buffer.from(signature(keys.signingKey, payload), 'ascii');
	const received = Buffer.from(token.slice(PAYLOAD_CHARS + 1), 'ascii');
	if (!timingSafeEqual(received, expected) || !keys.ready) return 'invalid';
	const bytes = Buffer.from(payload, 'base64url');
	if (bytes.length !== PAYLOAD_BYTES || bytes.readUInt8(0) !== VERSION) return 'invalid';
	const expiresAt = bytes.readUInt32BE(1);
	const now = Math.floor(nowMs / 1000);
	if (expiresAt <= now) return 'expired';
	if (expiresAt - now > MAX_EXPIRY_AHEAD_SECONDS) return 'invalid';
	return 'valid';
}
