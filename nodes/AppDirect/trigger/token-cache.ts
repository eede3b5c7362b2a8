import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

import type { TokenCheck } from './verify';

/** How long a token read from the credential is trusted; a changed or deleted credential counts after this. */
export const TOKEN_MAX_AGE_MS = 10_000;
/** A token that does not match re-reads the credential (it may just have been rotated), at most this often. */
export const TOKEN_RECHECK_MS = 1_000;
/** Credentials remembered at once; the least recently read is forgotten first. */
export const TOKEN_CACHE_ENTRIES = 1_000;

interface Entry {
	/** Keyed hash of the credential's token; null when the credential holds none. */
	digest: Buffer | null;
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
 * Checks webhook tokens against a credential without reading it on every request. n8n reads
 * a credential from the database and builds an expression sandbox for it each time, which
 * costs far more than the rest of a notification. Only a keyed hash of the token is kept (the
 * key is random per process), compared in constant time. Reads of one credential are shared
 * by concurrent requests, and a wrong token re-reads at most once per `recheckMs`, so a flood
 * of wrong tokens cannot turn into a flood of credential reads.
 */
export class TokenCache {
	private readonly entries = new Map<string, Entry>();
	private readonly reading = new Map<string, Promise<Entry>>();
	private readonly hashKey = randomBytes(32);
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
	 * `key` names the credential (and who uses it); `readToken` reads its current token and is
	 * called only when the remembered one is too old, or a mismatch may mean it was rotated.
	 * Throws what `readToken` threw.
	 */
	async check(key: string, received: string | undefined, readToken: () => Promise<string>): Promise<TokenCheck> {
		let entry = this.entries.get(key);
		let justRead = false;
		if (entry === undefined || this.age(entry) >= (entry.failure === undefined ? this.maxAgeMs : this.recheckMs)) {
			entry = await this.read(key, readToken);
			justRead = true;
		}
		const result = this.compare(entry, received);
		if (justRead || (result !== 'invalid' && result !== 'notConfigured') || this.age(entry) < this.recheckMs) {
			return result;
		}
		return this.compare(await this.read(key, readToken), received);
	}

	/** How many credentials are remembered (for tests). */
	get size(): number {
		return this.entries.size;
	}

	private age(entry: Entry): number {
		return this.now() - entry.readAt;
	}

	private compare(entry: Entry, received: string | undefined): TokenCheck {
		if (entry.failure !== undefined) throw entry.failure.error;
		if (entry.digest === null) return 'notConfigured';
		if (!received) return 'missing';
		return timingSafeEqual(this.hash(received), entry.digest) ? 'valid' : 'invalid';
	}

	private hash(token: string): Buffer {
		return createHmac('sha256', this.hashKey).update(token, 'utf8').digest();
	}

	private read(key: string, readToken: () => Promise<string>): Promise<Entry> {
		const pending = this.reading.get(key);
		if (pending) return pending;
		const readAt = this.now();
		const reading = readToken()
			.then(
				(token): Entry => ({ digest: token.length > 0 ? this.hash(token) : null, readAt }),
				(error: unknown): Entry => ({ digest: null, failure: { error }, readAt }),
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
