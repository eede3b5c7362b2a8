/**
 * The one way the package talks to AppDirect's API: every request goes through
 * `appDirectApiRequest`, so that every request gets the same origin rule, token handling,
 * limits and error explanations.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';
import { explainFailure, failureFrom } from './errors';
import { checkResourceUrl, marketplaceOrigin } from './origin';

/** Credential type name; stored in users' workflows: never rename. */
export const API_CREDENTIAL = 'appDirectOAuth2Api';

/** A marketplace that never answers must not hold the execution forever. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** An absolute URL on the credential's marketplace, or a path on it (`/api/...`). */
	url: string;
	qs?: IDataObject;
	/**
	 * HTTP error statuses the caller handles itself: answered as a response (body null) instead
	 * of thrown. Get Current State takes 404 as "removed"; a list can take 429 and read Retry-After.
	 */
	answerStatuses?: readonly number[];
}

/** What AppDirect answered: the parsed JSON body (text when it is not JSON; null for an answered error status), headers and status. */
export interface ApiResponse {
	body: unknown;
	headers: IN8nHttpFullResponse['headers'];
	statusCode: number;
}

/** The credential's Marketplace URL as an origin, or a clear error about the credential. */
export async function marketplaceOf(context: IExecuteFunctions, itemIndex: number): Promise<string> {
	const credential = await context.getCredentials<{ baseUrl?: string }>(API_CREDENTIAL, itemIndex);
	const marketplace = marketplaceOrigin(credential.baseUrl);
	if (!marketplace.ok) throw new NodeOperationError(context.getNode(), marketplace.problem, { itemIndex });
	return marketplace.value;
}

/**
 * One request with the credential's token, through n8n's OAuth2 code (which fetches and renews
 * the token). The URL must be on the credential's marketplace, under /api/: the token goes
 * nowhere else. An HTTP error becomes a NodeApiError that says what to check, with the status
 * in `httpCode`.
 */
export async function appDirectApiRequest(context: IExecuteFunctions, itemIndex: number, request: ApiRequest): Promise<ApiResponse> {
	const marketplace = await marketplaceOf(context, itemIndex);
	const checked = checkResourceUrl(request.url.startsWith('/') ? `${marketplace}${request.url}` : request.url, marketplace);
	if (!checked.ok) throw new NodeOperationError(context.getNode(), checked.problem, { itemIndex });
	const url = checked.value;
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(context, API_CREDENTIAL, {
			method: request.method,
			url,
			qs: request.qs,
			headers: { Accept: 'application/json' },
			json: true,
			returnFullResponse: true,
			timeout: REQUEST_TIMEOUT_MS,
			// The token must not follow a redirect to another host; n8n would send it along by default.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			allowedDomains: new URL(marketplace).hostname,
		})) as IN8nHttpFullResponse;
		return { body: response.body, headers: response.headers, statusCode: response.statusCode };
	} catch (error) {
		const failure = failureFrom(error);
		if (failure.status !== undefined && request.answerStatuses?.includes(failure.status)) {
			return { body: null, headers: (failure.headers ?? {}) as ApiResponse['headers'], statusCode: failure.status };
		}
		const { message, description } = explainFailure(failure, { marketplace, url });
		// A new error: NodeApiError hands back n8n's own error unchanged when given one to wrap.
		throw new NodeApiError(context.getNode(), { message, description } as JsonObject, {
			message,
			description,
			itemIndex,
			httpCode: failure.status === undefined ? undefined : String(failure.status),
		});
	}
}
