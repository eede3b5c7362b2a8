import { createHmac } from 'crypto';
import {
	deriveTokenKeys,
	issueToken,
	TOKEN_LIFETIME_SECONDS,
	verifyToken,
	type TokenBinding,
} from '../../nodes/AppDirect/trigger/oauth2/token';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BINDING: TokenBinding = { workflowId: 'wf-1', nodeId: 'node-a' };
const CLIENT = { grant: 'clientCredentials' as const, clientId: 'appdirect', clientSecret: 'cs_4f9a1c7e2b8d6053aa41f0c9e7b2d81' };
const OWNER = { ...CLIENT, grant: 'password' as const, username: 'marketplace-bot', password: 'pw_7Hq2xL9vRt4Z' };

const keys = deriveTokenKeys(CLIENT, BINDING);

describe('access tokens', () => {
	it('a token is valid for TOKEN_LIFETIME_SECONDS, then expired', () => {
		const { accessToken, expiresIn } = issueToken(keys, NOW);
		expect(expiresIn).toBe(TOKEN_LIFETIME_SECONDS);
		expect(accessToken).toMatch(/^[A-Za-z0-9_-]{28}\.[A-Za-z0-9_-]{43}$/);
		expect(verifyToken(accessToken, keys, NOW)).toBe('valid');
		expect(verifyToken(accessToken, keys, NOW + (TOKEN_LIFETIME_SECONDS - 1) * 1000)).toBe('valid');
		expect(verifyToken(accessToken, keys, NOW + TOKEN_LIFETIME_SECONDS * 1000)).toBe('expired');
		expect(verifyToken(accessToken, keys, NOW + 10 * TOKEN_LIFETIME_SECONDS * 1000)).toBe('expired');
	});

	it('any process derives the same keys from the same credential and binding: no shared state', () => {
		const { accessToken } = issueToken(keys, NOW);
		expect(verifyToken(accessToken, deriveTokenKeys({ ...CLIENT }, { ...BINDING }), NOW)).toBe('valid');
		const ownerToken = issueToken(deriveTokenKeys(OWNER, BINDING), NOW).accessToken;
		expect(verifyToken(ownerToken, deriveTokenKeys({ ...OWNER }, BINDING), NOW)).toBe('valid');
	});

	it('every token is different (a random id), and carries neither the binding nor a secret', () => {
		const tokens = Array.from({ length: 200 }, () => issueToken(keys, NOW).accessToken);
		expect(new Set(tokens).size).toBe(200);
		const decoded = tokens.map((token) => Buffer.from(token.split('.')[0], 'base64url').toString('latin1')).join('');
		for (const word of [BINDING.workflowId, BINDING.nodeId, CLIENT.clientId, CLIENT.clientSecret]) expect(decoded).not.toContain(word);
	});

	it.each([
		['another workflow', CLIENT, { ...BINDING, workflowId: 'wf-2' }],
		['another node of the workflow', CLIENT, { ...BINDING, nodeId: 'node-b' }],
		['a changed client secret', { ...CLIENT, clientSecret: `${CLIENT.clientSecret}x` }, BINDING],
		['a changed client ID', { ...CLIENT, clientId: 'appdirect2' }, BINDING],
		['the other grant with the same client', { ...OWNER }, BINDING],
		['IDs that only move a character between fields', { ...CLIENT, clientId: 'appdirectc', clientSecret: CLIENT.clientSecret.slice(1) }, BINDING],
		['bindings that only move a character between fields', CLIENT, { workflowId: 'wf-1n', nodeId: 'ode-a' }],
	])('a token is refused by %s', (_case, credential, binding) => {
		const { accessToken } = issueToken(keys, NOW);
		expect(verifyToken(accessToken, deriveTokenKeys(credential, binding), NOW)).toBe('invalid');
	});

	it('a changed password (password grant) refuses every token issued before', () => {
		const before = deriveTokenKeys(OWNER, BINDING);
		const tokens = Array.from({ length: 5 }, () => issueToken(before, NOW).accessToken);
		const after = deriveTokenKeys({ ...OWNER, password: 'pw_new_one' }, BINDING);
		expect(tokens.map((token) => verifyToken(token, after, NOW))).toEqual(Array(5).fill('invalid'));
	});

	it('changing any one character of a token makes it invalid or malformed, never valid', () => {
		const { accessToken } = issueToken(keys, NOW);
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
		let tried = 0;
		for (let i = 0; i < accessToken.length; i++) {
			for (const replacement of alphabet) {
				if (replacement === accessToken[i]) continue;
				const tampered = accessToken.slice(0, i) + replacement + accessToken.slice(i + 1);
				expect([i, verifyToken(tampered, keys, NOW)]).toEqual([i, expect.stringMatching(/^(invalid|malformed)$/)]);
				tried++;
			}
		}
		expect(tried).toBe(accessToken.length * (alphabet.length - 1));
	});

	it.each([
		['undefined', undefined],
		['a number', 42],
		['an object', { token: 'x' }],
		['an empty string', ''],
		['one character', 'a'],
		['a token cut short', 'x'.repeat(71)],
		['a token one character long', `${'A'.repeat(28)}.${'A'.repeat(44)}`],
		['a megabyte', 'A'.repeat(1_000_000)],
		['non-ASCII of the right length', `${'é'.repeat(28)}.${'ü'.repeat(43)}`],
		['the dot elsewhere', `${'A'.repeat(27)}.A${'A'.repeat(43)}`],
		['padding characters', `${'A'.repeat(28)}.${'A'.repeat(41)}==`],
		['standard base64 characters', `${'+'.repeat(28)}.${'/'.repeat(43)}`],
		['a line break inside', `${'A'.repeat(28)}.${'A'.repeat(42)}\n`],
	])('%s is malformed, without throwing', (_case, value) => {
		expect(verifyToken(value, keys, NOW)).toBe('malformed');
	});

	it('a well-signed token whose expiry lies further ahead than any issued one is invalid', () => {
		// Only someone holding the key can make one: this guards against a longer-lived format.
		const payload = Buffer.alloc(21);
		payload.writeUInt8(1, 0);
		payload.writeUInt32BE(Math.floor(NOW / 1000) + 30 * 86_400, 1);
		const encoded = payload.toString('base64url');
		const mac = createHmac('sha256', keys.signingKey).update(`appdirect-webhook-access-token.${encoded}`).digest('base64url');
		expect(verifyToken(`${encoded}.${mac}`, keys, NOW)).toBe('invalid');
		payload.writeUInt32BE(Math.floor(NOW / 1000) + 60, 1);
		const soon = payload.toString('base64url');
		const soonMac = createHmac('sha256', keys.signingKey).update(`appdirect-webhook-access-token.${soon}`).digest('base64url');
		// The same construction with a normal expiry is accepted, so the rejection above is about the expiry.
		expect(verifyToken(`${soon}.${soonMac}`, keys, NOW)).toBe('valid');
	});

	it('an incomplete credential accepts no token, even one signed with its key', () => {
		const incomplete = deriveTokenKeys({ ...CLIENT, clientSecret: '' }, BINDING);
		expect(incomplete.ready).toBe(false);
		expect(verifyToken(issueToken(incomplete, NOW).accessToken, incomplete, NOW)).toBe('invalid');
		expect(deriveTokenKeys({ ...OWNER, password: '' }, BINDING).ready).toBe(false);
		expect(deriveTokenKeys({ ...OWNER, username: 42 }, BINDING).ready).toBe(false);
		expect(deriveTokenKeys({ ...CLIENT, username: '', password: '' }, BINDING).ready).toBe(true);
	});

	it('the derived keys hold no secret in any form it can be read back from', () => {
		const owner = deriveTokenKeys(OWNER, BINDING);
		const bytes = Buffer.concat(
			Object.values(owner).filter((value): value is Buffer => Buffer.isBuffer(value)),
		);
		for (const secret of [OWNER.clientSecret, OWNER.password, OWNER.username]) {
			expect(bytes.includes(Buffer.from(secret))).toBe(false);
		}
		expect(JSON.stringify({ ...owner, signingKey: undefined })).not.toContain(OWNER.password);
	});
});
