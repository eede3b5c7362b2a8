import { createHash, timingSafeEqual } from 'crypto';

import { WEBHOOK_TOKEN_HEADERS } from '../shared/catalog';

export type TokenCheck = 'valid' | 'missing' | 'invalid' | 'notConfigured';

/** Header names are case-insensitive; n8n usually lower-cases them already, but not always. */
export function findHeader(headers: Record<string, unknown>, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== name) continue;
		if (typeof value === 'string') return value;
		if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	}
	return undefined;
}

/** The token a request carries: the first non-empty one of the accepted headers. */
export function receivedToken(headers: Record<string, unknown>): string | undefined {
	for (const name of WEBHOOK_TOKEN_HEADERS) {
		const received = findHeader(headers, name);
		if (received) return received;
	}
	return undefined;
}

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares the token a request carries with the configured one in constant time: both
 * sides are hashed first, so neither their contents nor their lengths leak through timing.
 */
export function checkToken(headers: Record<string, unknown>, expected: string): TokenCheck {
	if (expected.length === 0) return 'notConfigured';
	const received = receivedToken(headers);
	if (!received) return 'missing';
	return timingSafeEqual(digest(received), digest(expected)) ? 'valid' : 'invalid';
}
