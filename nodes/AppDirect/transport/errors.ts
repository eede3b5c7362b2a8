/**
 * Turns whatever n8n's request path threw into what went wrong (read from the error and its
 * causes), and that into a message that says what to check. Pure: the transport wraps the
 * result in an n8n error.
 */

import { isObject } from '../shared/guards';
import { originOf } from '../shared/url';

export interface Failure {
	/** HTTP status of AppDirect's answer to the resource request. */
	status?: number;
	/**
	 * Set when the token endpoint failed; `refused` when it answered with an OAuth error or a
	 * 4xx, `detail` is what it said (never a secret).
	 */
	token?: { refused: boolean; status?: number; detail?: string };
	/** A network error code, such as ECONNREFUSED. */
	network?: string;
	/** Where a redirect answer pointed. */
	location?: string;
	/** The headers of AppDirect's answer (a 429's Retry-After, for instance). */
	headers?: Record<string, unknown>;
	/** The error's own message, as a last resort. */
	message?: string;
}

export interface Explained {
	message: string;
	description: string;
}

// n8n-core's OperationalError when the first client-credentials token cannot be obtained.
const TOKEN_FAILURE_PREFIX = 'Failed to acquire OAuth2 access token';

type Bag = Record<string, unknown>;

function numberOf(value: unknown): number | undefined {
	const number = typeof value === 'string' ? Number(value) : value;
	return typeof number === 'number' && Number.isInteger(number) && number >= 100 && number <= 599 ? number : undefined;
}

/** The error and its causes, outermost first (n8n wraps what axios and the OAuth2 client throw). */
function chain(error: unknown): Bag[] {
	const links: Bag[] = [];
	let current: unknown = error;
	while (isObject(current) && links.length < 8 && !links.includes(current)) {
		links.push(current);
		current = current.cause;
	}
	return links;
}

function tokenDetail(link: Bag): string | undefined {
	const body = isObject(link.body) ? link.body : undefined;
	const described = body && typeof body.error_description === 'string' ? body.error_description : undefined;
	const code = body && typeof body.error === 'string' ? body.error : undefined;
	const message = typeof link.message === 'string' ? link.message : undefined;
	if (described && code) return `${code}: ${described}`;
	return described ?? code ?? message;
}

export function failureFrom(error: unknown): Failure {
	const links = chain(error);
	const failure: Failure = {};
	for (const link of links) {
		const message = typeof link.message === 'string' ? link.message : '';
		failure.message ??= message || undefined;
		// The OAuth2 client's errors: AuthError (EAUTH, an OAuth error body) and ResponseError (ESTATUS).
		if (link.code === 'EAUTH' || link.code === 'ESTATUS' || message.startsWith(TOKEN_FAILURE_PREFIX)) {
			const status = failure.token?.status ?? numberOf(link.status);
			const detail = message.startsWith(TOKEN_FAILURE_PREFIX) ? undefined : tokenDetail(link);
			failure.token = {
				refused: failure.token?.refused === true || link.code === 'EAUTH' || (status !== undefined && status < 500),
				status,
				detail: detail ?? failure.token?.detail,
			};
			continue;
		}
		const response = isObject(link.response) ? link.response : undefined;
		failure.status ??= numberOf(response?.status) ?? numberOf(link.httpCode);
		const headers = response && isObject(response.headers) ? response.headers : undefined;
		failure.headers ??= headers;
		if (failure.location === undefined && typeof headers?.location === 'string') failure.location = headers.location;
		if (failure.network === undefined && typeof link.code === 'string' && /^E[A-Z_]+$/.test(link.code)) {
			failure.network = link.code;
		}
	}
	if (failure.token) {
		// The status n8n reported belongs to the token request then, not to the resource.
		delete failure.status;
		delete failure.network;
		delete failure.headers;
	}
	return failure;
}

const CREDENTIAL_FIELDS =
	'Check the AppDirect credential: Marketplace URL, the Client ID and Client Secret of an API client (a Marketplace Manager creates one under Manage > Marketplace > Settings > API Clients), and Scope (ROLE_PARTNER_READ or ROLE_PARTNER).';

/** What went wrong reading `url` from `marketplace`, and what to check. */
export function explainFailure(failure: Failure, context: { marketplace: string; url: string }): Explained {
	const { marketplace, url } = context;
	if (failure.token) {
		const { refused, status, detail } = failure.token;
		return {
			message: refused ? 'AppDirect refused to give n8n an access token' : 'n8n could not get an access token from AppDirect',
			description: `n8n asked ${marketplace}/oauth2/token for a token with the credential's client ID and secret${status ? ` and got HTTP ${status}` : ''}${detail ? ` (${detail})` : ''}. ${CREDENTIAL_FIELDS}`,
		};
	}
	const status = failure.status;
	if (status === 404) {
		return {
			message: 'AppDirect found no such resource (HTTP 404)',
			description: `AppDirect answered 404 Not Found for ${url}: no resource has this ID, or it was removed. Check the ID (for a product, its numeric product ID, not its uuid). To get exists = false for a removed resource instead of an error, use Get Current State.`,
		};
	}
	if (status === 401) {
		return {
			message: 'AppDirect refused the access token',
			description: `AppDirect answered 401 Unauthorized for ${url}, also after n8n fetched a new token. Check that the API client still exists and is enabled in AppDirect. ${CREDENTIAL_FIELDS}`,
		};
	}
	if (status === 403) {
		return {
			message: 'The credential is not allowed to read this resource',
			description: `AppDirect answered 403 Forbidden for ${url}. Check the credential's Scope (ROLE_PARTNER_READ reads all marketplace data) and the API client's permissions in AppDirect.`,
		};
	}
	if (status !== undefined && status >= 300 && status < 400) {
		return {
			message: 'AppDirect answered with a redirect, which the node does not follow',
			description: `${url} redirected to ${originOf(failure.location, url) ?? 'another address'}. The token is only sent to the credential's marketplace: set its Marketplace URL to the address your marketplace is served from.`,
		};
	}
	if (status === 429) {
		return {
			message: 'AppDirect is limiting the request rate',
			description: `AppDirect answered 429 Too Many Requests for ${url}. Try again later: turn on the node's Retry On Fail setting, or send fewer items at once.`,
		};
	}
	if (status !== undefined && status >= 500) {
		return {
			message: `AppDirect could not answer (HTTP ${status})`,
			description: `AppDirect answered ${status} for ${url}: a problem on AppDirect's side. Try again later; the node's Retry On Fail setting does that for you.`,
		};
	}
	if (status !== undefined) {
		return {
			message: `AppDirect refused the request (HTTP ${status})`,
			description: `AppDirect answered ${status} for ${url}. Check the resource URL or ID.`,
		};
	}
	if (failure.network) {
		return {
			message: `n8n cannot reach the marketplace at ${marketplace}`,
			description: `The request to ${url} failed (${failure.network}). Check the credential's Marketplace URL and that this n8n can reach it.`,
		};
	}
	return {
		message: 'Reading the resource from AppDirect failed',
		description: `${failure.message ?? 'Unknown error'} (${url}). ${CREDENTIAL_FIELDS}`,
	};
}

/** AppDirect answers a resource with a JSON object; anything else means the URL is not its API. */
export function notAResource(url: string): Explained {
	return {
		message: "AppDirect's answer is not a resource",
		description: `${url} answered with something other than a JSON object (often a sign-in page). Check the credential's Marketplace URL and the resource URL.`,
	};
}
