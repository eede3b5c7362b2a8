/**
 * The one rule that keeps the AppDirect API token safe: it is sent only to the marketplace the
 * credential names (same scheme, host and port), never to a URL that merely claims to be there.
 * A notification's resource URL is attacker-controllable when the trigger accepts notifications
 * without authentication, so every URL is checked here before any request is made.
 */

import { isWeb, parseUrl } from '../shared/url';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Where AppDirect serves resources; notifications never point anywhere else. */
const API_PATH_PREFIX = '/api/';

const EXAMPLE_MARKETPLACE = 'https://marketplace.example.com';

/** The credential's Marketplace URL, as an origin (`https://host[:port]`). */
export function marketplaceOrigin(baseUrl: unknown): Checked<string> {
	const text = typeof baseUrl === 'string' ? baseUrl.trim() : '';
	const fix = `Open the AppDirect credential and set Marketplace URL to your marketplace's address, for example ${EXAMPLE_MARKETPLACE}`;
	if (text.length === 0) return { ok: false, problem: `The credential has no Marketplace URL. ${fix}` };
	const url = parseUrl(text);
	if (!url || !isWeb(url)) {
		return { ok: false, problem: `The credential's Marketplace URL is not an http(s) address. ${fix}` };
	}
	if (url.username || url.password) {
		return { ok: false, problem: `The credential's Marketplace URL contains a user name or password. ${fix}` };
	}
	if (url.pathname !== '/' || url.search || url.hash) {
		return {
			ok: false,
			problem: `The credential's Marketplace URL must be the address alone, without a path (got ${url.origin}${url.pathname}). ${fix}`,
		};
	}
	return { ok: true, value: url.origin };
}

/**
 * The URL to request for a resource URL taken from workflow data, normalised (what is checked is
 * exactly what is sent), or why it is refused. Nothing is requested for a refused URL.
 */
export function checkResourceUrl(input: unknown, marketplace: string): Checked<string> {
	if (input === undefined || input === null || (typeof input === 'string' && input.trim().length === 0)) {
		return {
			ok: false,
			problem:
				'Resource URL is empty. Connect the node after the AppDirect Trigger (it reads {{ $json.resourceUrl }}) or enter the URL of an AppDirect resource.',
		};
	}
	if (typeof input !== 'string') {
		return { ok: false, problem: `Resource URL must be text, got ${Array.isArray(input) ? 'a list' : `a ${typeof input}`}.` };
	}
	const url = parseUrl(input);
	if (!url || !isWeb(url)) {
		return {
			ok: false,
			problem: `Resource URL is not an http(s) URL of your marketplace, for example ${marketplace}/api/billing/v1/subscriptions/<id>.`,
		};
	}
	// Never echo user info: it may be a password.
	if (url.username || url.password) {
		return {
			ok: false,
			problem: `Refused to read a resource URL that contains a user name or password (${url.origin}). The AppDirect API token is only sent to ${marketplace}.`,
		};
	}
	if (url.origin !== marketplace) {
		return {
			ok: false,
			problem: `Refused to send the AppDirect API token to ${url.origin}: the resource URL must be on the credential's marketplace, ${marketplace} (same scheme, host and port). A notification can name any URL; check that it comes from your marketplace, or correct the credential's Marketplace URL.`,
		};
	}
	if (!url.pathname.startsWith(API_PATH_PREFIX)) {
		return {
			ok: false,
			problem: `Refused to read ${url.origin}${url.pathname}: AppDirect resources are under ${marketplace}${API_PATH_PREFIX}.`,
		};
	}
	url.hash = '';
	return { ok: true, value: url.href };
}
