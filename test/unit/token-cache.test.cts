import { createHash } from 'crypto';
import { TOKEN_MAX_AGE_MS, TOKEN_RECHECK_MS, TokenCache } from '../../nodes/AppDirect/trigger/token-cache';

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const NEW_TOKEN = 'tok_new_0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** A credential whose token (or failure) the test changes, counting how often it is read. */
function credential(initial: string) {
	const state = { token: initial as string | Error, reads: 0 };
	const read = async () => {
		state.reads += 1;
		if (state.token instanceof Error) throw state.token;
		return state.token;
	};
	return { state, read };
}

function setup(options: { maxEntries?: number } = {}) {
	const clock = { now: 1_000_000 };
	const cache = new TokenCache({ now: () => clock.now, ...options });
	return { clock, cache };
}

describe('TokenCache', () => {
	it('reads the credential once, then answers from memory until the token is TOKEN_MAX_AGE_MS old', async () => {
		const { clock, cache } = setup();
		const { state, read } = credential(TOKEN);
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		clock.now += TOKEN_MAX_AGE_MS - 1;
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		expect(await cache.check('w/c', undefined, read)).toBe('missing');
		expect(state.reads).toBe(1);
		clock.now += 1;
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		expect(state.reads).toBe(2);
	});

	it.each([
		['the right token', TOKEN, 'valid'],
		['no token', undefined, 'missing'],
		['an empty token', '', 'missing'],
		['a wrong token of the same length', TOKEN.replace('9', '8'), 'invalid'],
		['a shorter token', TOKEN.slice(0, 5), 'invalid'],
		['a much longer token', TOKEN.repeat(300), 'invalid'],
		['the token with a space', ` ${TOKEN}`, 'invalid'],
	])('%s → %s, like checkToken', async (_case, received, expected) => {
		const { cache } = setup();
		expect(await cache.check('w/c', received, credential(TOKEN).read)).toBe(expected);
	});

	it('an empty credential accepts nothing', async () => {
		const { cache } = setup();
		expect(await cache.check('w/c', '', credential('').read)).toBe('notConfigured');
		expect(await cache.check('w/c', TOKEN, credential('').read)).toBe('notConfigured');
	});

	it('rotation: the new token works as soon as the remembered one is TOKEN_RECHECK_MS old; the old one stops after TOKEN_MAX_AGE_MS', async () => {
		const { clock, cache } = setup();
		const { state, read } = credential(TOKEN);
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		state.token = NEW_TOKEN;
		// Within TOKEN_RECHECK_MS of the read a mismatch is answered from memory.
		expect(await cache.check('w/c', NEW_TOKEN, read)).toBe('invalid');
		expect(state.reads).toBe(1);
		clock.now += TOKEN_RECHECK_MS;
		expect(await cache.check('w/c', NEW_TOKEN, read)).toBe('valid');
		expect(state.reads).toBe(2);
		// That read also replaced the old token.
		expect(await cache.check('w/c', TOKEN, read)).toBe('invalid');

		// Without a request carrying the new token, the old one lasts at most TOKEN_MAX_AGE_MS.
		const other = credential(TOKEN);
		expect(await cache.check('w/other', TOKEN, other.read)).toBe('valid');
		other.state.token = NEW_TOKEN;
		clock.now += TOKEN_MAX_AGE_MS - 1;
		expect(await cache.check('w/other', TOKEN, other.read)).toBe('valid');
		clock.now += 1;
		expect(await cache.check('w/other', TOKEN, other.read)).toBe('invalid');
		expect(await cache.check('w/other', NEW_TOKEN, other.read)).toBe('valid');
	});

	it('deletion: once the remembered token is TOKEN_MAX_AGE_MS old, the read error is what every request gets', async () => {
		const { clock, cache } = setup();
		const { state, read } = credential(TOKEN);
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		const gone = new Error('Credential with ID "c" does not exist');
		state.token = gone;
		clock.now += TOKEN_MAX_AGE_MS;
		await expect(cache.check('w/c', TOKEN, read)).rejects.toBe(gone);
		// The failure is remembered for TOKEN_RECHECK_MS: a flood does not read again.
		for (let i = 0; i < 100; i++) await expect(cache.check('w/c', TOKEN, read)).rejects.toBe(gone);
		expect(state.reads).toBe(2);
		clock.now += TOKEN_RECHECK_MS;
		state.token = TOKEN;
		expect(await cache.check('w/c', TOKEN, read)).toBe('valid');
		expect(state.reads).toBe(3);
	});

	it('a flood of wrong tokens reads the credential at most once per TOKEN_RECHECK_MS', async () => {
		const { clock, cache } = setup();
		const { state, read } = credential(TOKEN);
		const durationMs = 30_000;
		let refused = 0;
		for (let t = 0; t < durationMs; t += 5) {
			clock.now += 5;
			if ((await cache.check('w/c', `guess-${t}`, read)) === 'invalid') refused += 1;
		}
		expect(refused).toBe(durationMs / 5);
		expect(state.reads).toBeLessThanOrEqual(durationMs / TOKEN_RECHECK_MS + 1);
		expect(state.reads).toBeGreaterThan(1);
	});

	it('concurrent requests share one read', async () => {
		const { cache } = setup();
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let reads = 0;
		const read = async () => {
			reads += 1;
			await gate;
			return TOKEN;
		};
		const pending = Array.from({ length: 50 }, (_, i) => cache.check('w/c', i % 2 ? TOKEN : 'wrong', read));
		release();
		const results = await Promise.all(pending);
		expect(reads).toBe(1);
		expect(results.filter((result) => result === 'valid')).toHaveLength(25);
		expect(results.filter((result) => result === 'invalid')).toHaveLength(25);
	});

	it('keeps credentials apart, and forgets the least recently read beyond its size', async () => {
		const { cache } = setup({ maxEntries: 3 });
		const a = credential(TOKEN);
		const b = credential(NEW_TOKEN);
		expect(await cache.check('w/a', TOKEN, a.read)).toBe('valid');
		expect(await cache.check('w/b', TOKEN, b.read)).toBe('invalid');
		expect(await cache.check('w/b', NEW_TOKEN, b.read)).toBe('valid');
		for (const key of ['w/c', 'w/d']) await cache.check(key, TOKEN, credential(TOKEN).read);
		expect(cache.size).toBe(3);
		// w/a was the oldest: it is read again.
		expect(await cache.check('w/a', TOKEN, a.read)).toBe('valid');
		expect(a.state.reads).toBe(2);
	});

	it('keeps neither the token nor its plain SHA-256 anywhere in memory it owns', async () => {
		const { cache } = setup();
		await cache.check('w/c', TOKEN, credential(TOKEN).read);
		const plainDigest = createHash('sha256').update(TOKEN).digest();
		const seen = new Set<unknown>();
		const found: string[] = [];
		const walk = (value: unknown, path: string) => {
			if (value === null || typeof value !== 'object' || seen.has(value)) {
				if (typeof value === 'string' && value.includes(TOKEN)) found.push(path);
				return;
			}
			seen.add(value);
			if (Buffer.isBuffer(value)) {
				if (value.includes(plainDigest) || value.includes(Buffer.from(TOKEN))) found.push(path);
				return;
			}
			const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
			for (const [key, child] of entries) {
				if (typeof key === 'string' && key.includes(TOKEN)) found.push(`${path}.<key>`);
				walk(child, `${path}.${String(key)}`);
			}
		};
		walk(cache, 'cache');
		expect(seen.size).toBeGreaterThan(3);
		expect(found).toEqual([]);
	});
});
