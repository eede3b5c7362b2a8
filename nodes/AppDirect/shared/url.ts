/** An absolute URL (relative to `base` when one is given); undefined for text that is not one. */
export function parseUrl(text: unknown, base?: string): URL | undefined {
	if (typeof text !== 'string') return undefined;
	try {
		return new URL(text.trim(), base);
	} catch {
		// Not a URL: callers say so in their own words.
		return undefined;
	}
}

export const isWeb = (url: URL) => url.protocol === 'https:' || url.protocol === 'http:';

/**
 * Where an http(s) URL is served from, in one normal form: scheme, lower-case host and port
 * (none for the scheme's default), no user info, no path. Both nodes' `marketplaceUrl`, so
 * that a CRM keyed on it matches whichever node wrote the row; null for anything else.
 */
export function originOf(url: unknown, base?: string): string | null {
	const parsed = parseUrl(url, base);
	return parsed && isWeb(parsed) ? parsed.origin : null;
}
