import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

import type { TokenCheck } from './verify';

/** How long a value read from a credential is trusted; a changed or deleted credential counts after this. */
export const TOKEN_MAX_AGE_MS = 10_000;
/** A request that does not match re-reads the credential (it may just have been rotated), at most this often. */
export const TOKEN_RECHECK_MS = 1_000;
/** Credentials remembered at once; the least recently read is forgotten first. */
const TOKEN_CACHE_ENTRIES = 1_000;

interface Entry<T> {
	value?: T;
	/** Why the credential could not be read: answered again until the next read is allowed. */
	failure?: { error: unknown };
	readAt: number;
}

export interface TokenCacheOptions {
	maxAgeMs?: number;
	recheckMs?: number;
	maxEntries?: number;
	now?: () => number;
}

/**
 * A keyed, short-lived memory of something derived from a credential, so that a webhook does
 * not read the credential on every request: n8n reads it from the database and builds an
 * expression sandbox for it each time, which costs far more than the rest of a notification.
 * Reads of one key are shared by concurrent requests; a request that does not match re-reads
 * at most once per `recheckMs`, so a flood of wrong requests cannot turn into a flood of reads.
 * Keep only what cannot give the secret back (a keyed hash, a derived key), never the secret.
 */
export class CredentialCache<T> {
	private readonly entries = new Map<string, Entry<T>>();
	private readonly reading = new Map<string, Promise<Entry<T>>>();
	private readonly maxAgeMs: number;
	private readonly recheckMs: number;
	private readonly maxEntries: number;
	private readonly now: () => number;

	constructor(options: TokenCacheOptions = {}) {
		this.maxAgeMs = options.maxAgeMs ?? TOKEN_MAX_AGE_MS;
		this.recheckMs = options.recheckMs ?? TOKEN_RECHECK_MS;
		this.maxEntries = options.maxEntries ?? TOKEN_CACHE_ENTRIES;
		this.now = options.now ?? Date.now;
	}

	/**
	 * `key` names the credential (and who uses it); `read` derives the remembered value from it
	 * and is called only when that value is too old, or when `mismatch(result)` says the request
	 * may carry a rotated secret and the value is at least `recheckMs` old. Throws what `read` threw.
	 */
	async use<R>(
		key: string,
		read: () => Promise<T>,
		judge: (value: T) => R,
		mismatch: (result: R) => boolean,
	): Promise<R> {
		let entry = this.entries.get(key);
		let justRead = false;
		if (entry === undefined || this.age(entry) >= (entry.failure === undefined ? this.maxAgeMs : this.recheckMs)) {
			entry = await this.read(key, read);
			justRead = true;
		}
		const result = judge(this.valueOf(entry));
		if (justRead || !mismatch(result) || this.age(entry) < this.recheckMs) return result;
		return judge(this.valueOf(await this.read(key, read)));
	}

	/** How many credentials are remembered (for tests). */
	get size(): number {
		return this.entries.size;
	}

	private age(entry: Entry<T>): number {
		return this.now() - entry.readAt;
	}

	private valueOf(entry: Entry<T>): T {
		if (entry.failure !== undefined) throw entry.failure.error;
		return entry.value as T;
	}

	private read(key: string, read: () => Promise<T>): Promise<Entry<T>> {
		const pending = this.reading.get(key);
		if (pending) return pending;
		const readAt = this.now();
		const reading = read()
			.then(
				(value): Entry<T> => ({ value, readAt }),
				(error: unknown): Entry<T> => ({ failure: { error }, readAt }),
			)
			.then((entry) => {
				this.reading.delete(key);
				this.entries.delete(key);
				this.entries.set(key, entry);
				for (const oldest of this.entries.keys()) {
					if (this.entries.size <= this.maxEntries) break;
					this.entries.delete(oldest);
				}
				return entry;
			});
		this.reading.set(key, reading);
		return reading;
	}
}

/**
 * Checks webhook tokens against a credential without reading it on every request. Only a
 * keyed hash of the token is kept (the key is random per process), compared in constant time.
 */
export class TokenCache {
	private readonly memory: CredentialCache<Buffer | null>;
	private readonly hashKey = randomBytes(32);

	constructor(options: TokenCacheOptions = {}) {
		this.memory = new CredentialCache(options);
	}

	/**
	 * `key` names the credential (and who uses it); `readToken` reads its current token and is
	 * called only when the remembered one is too old, or a mismatch may mean it was rotated.
	 * Throws what `readToken` threw.
	 */
	async check(key: string, received: string | undefined, readToken: () => Promise<string>): Promise<TokenCheck> {
		return await this.memory.use(
			key,
			async () => {
				const token = await readToken();
				return token.length > 0 ? this.hash(token) : null;
			},
			(digest) => this.compare(digest, received),
			(result) => result === 'invalid' || result === 'notConfigured',
		);
	}

	/** How many credentials are remembered (for tests). */
	get size(): number {
		return this.memory.size;
	}

	private compare(digest: Buffer | null, received: string | undefined): TokenCheck {
		if (digest === null) return 'notConfigured';
		if (!received) return 'missing';
		return timingSafeEqual(this.hash(received), digest) ? 'valid' : 'invalid';
	}

	private hash(token: string): Buffer {
		return createHmac('sha256', this.hashKey).update(token, 'utf8').digest();
	}
}
