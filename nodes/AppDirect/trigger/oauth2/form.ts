/** Reading an OAuth2 token request: its form body and its HTTP Basic client authentication. */

/** Longer bodies are refused: a token request is a few short fields. */
export const MAX_FORM_CHARS = 8_192;
export const MAX_FORM_FIELDS = 32;
/** Longer Authorization headers are refused before any decoding. */
export const MAX_AUTHORIZATION_CHARS = 4_096;

/** application/x-www-form-urlencoded decoding of one name or value; undefined when it is not valid. */
export function decodeFormComponent(value: string): string | undefined {
	try {
		return decodeURIComponent(value.replace(/\+/g, ' '));
	} catch {
		return undefined;
	}
}

export type FormResult = { ok: true; fields: Map<string, string> } | { ok: false };

/**
 * Parses a form body as RFC 6749 asks: a field sent without a value counts as absent, and a
 * field sent twice makes the whole request invalid. Never throws.
 */
export function parseForm(body: string): FormResult {
	if (body.length > MAX_FORM_CHARS) return { ok: false };
	const fields = new Map<string, string>();
	const parts = body.split('&').filter((part) => part.length > 0);
	if (parts.length > MAX_FORM_FIELDS) return { ok: false };
	for (const part of parts) {
		const equals = part.indexOf('=');
		const name = decodeFormComponent(equals === -1 ? part : part.slice(0, equals));
		const value = decodeFormComponent(equals === -1 ? '' : part.slice(equals + 1));
		if (name === undefined || value === undefined) return { ok: false };
		if (value.length === 0) continue;
		if (fields.has(name)) return { ok: false };
		fields.set(name, value);
	}
	return { ok: true, fields };
}

/** Whether a Content-Type header names a form body (parameters such as charset are ignored). */
export function isFormContentType(contentType: string | undefined): boolean {
	return contentType?.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * The client ID and secret in an `Authorization: Basic` header. RFC 6749 has the client
 * form-encode both before Basic encoding; many clients do not, so each comes as every reading
 * that differs (as sent, and form-decoded). Undefined when the header is not valid Basic.
 */
export function basicCredentials(header: string): { ids: string[]; secrets: string[] } | undefined {
	if (header.length > MAX_AUTHORIZATION_CHARS) return undefined;
	const match = /^basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
	if (!match || match[1].length % 4 !== 0) return undefined;
	const bytes = Buffer.from(match[1], 'base64');
	// Only the canonical encoding: no two different headers mean the same credentials.
	if (bytes.toString('base64') !== match[1]) return undefined;
	const decoded = bytes.toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon === -1) return undefined;
	const readings = (raw: string) => [...new Set([raw, decodeFormComponent(raw) ?? raw])];
	return { ids: readings(decoded.slice(0, colon)), secrets: readings(decoded.slice(colon + 1)) };
}
