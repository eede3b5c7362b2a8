import { explainFailure, failureFrom, notAResource } from '../../nodes/AppDirect/transport/errors';

const CONTEXT = { marketplace: 'https://marketplace.example.com', url: 'https://marketplace.example.com/api/account/v1/companies/c1' };

// Shapes as n8n 2.41 throws them (seen in the e2e tests): NodeApiError around n8n-core's
// OperationalError around the OAuth2 client's AuthError; NodeApiError with an httpCode; axios errors.
const tokenRefused = {
	name: 'NodeApiError',
	httpCode: null,
	message: 'Failed to acquire OAuth2 access token: Client authentication failed (e.g., unknown client, …).',
	cause: {
		message: 'Failed to acquire OAuth2 access token: Client authentication failed (e.g., unknown client, …).',
		cause: {
			code: 'EAUTH',
			message: 'Client authentication failed (e.g., unknown client, …).',
			body: { error: 'invalid_client', error_description: 'Bad client credentials' },
		},
	},
};

describe('failureFrom', () => {
	it('recognises a refused token request and keeps what the token endpoint said', () => {
		expect(failureFrom(tokenRefused)).toEqual({
			token: { refused: true, status: undefined, detail: 'invalid_client: Bad client credentials' },
			message: tokenRefused.message,
		});
	});

	it('recognises a token endpoint that answered with an unexpected status', () => {
		const failure = failureFrom({ httpCode: '503', message: 'HTTP status 503', cause: { code: 'ESTATUS', status: 503, message: 'HTTP status 503' } });
		expect(failure.token).toEqual({ refused: false, status: 503, detail: 'HTTP status 503' });
		// The 503 belongs to the token request, not to the resource.
		expect(failure.status).toBeUndefined();
		// A token endpoint that is not there (wrong Marketplace URL) is no removed resource.
		const missing = failureFrom({ httpCode: '404', message: 'HTTP status 404', cause: { code: 'ESTATUS', status: 404, message: 'HTTP status 404' } });
		expect(missing).toMatchObject({ token: { refused: true, status: 404 } });
		expect(missing.status).toBeUndefined();
	});

	it('reads the resource’s status from n8n’s error or from the response, and a redirect’s target', () => {
		expect(failureFrom({ httpCode: '404', message: 'The resource you are requesting could not be found' }).status).toBe(404);
		expect(failureFrom({ message: 'x', cause: { response: { status: 302, headers: { location: 'https://evil.example/a' } } } })).toMatchObject({
			status: 302,
			location: 'https://evil.example/a',
		});
	});

	it('reads network errors and survives odd values', () => {
		expect(failureFrom({ message: 'connect ECONNREFUSED', cause: { code: 'ECONNREFUSED' } }).network).toBe('ECONNREFUSED');
		expect(failureFrom(undefined)).toEqual({});
		expect(failureFrom('text')).toEqual({});
		const loop: Record<string, unknown> = { message: 'loop' };
		loop.cause = loop;
		expect(failureFrom(loop)).toEqual({ message: 'loop' });
		expect(failureFrom({ httpCode: 'abc' }).status).toBeUndefined();
	});
});

describe('explainFailure says what to check', () => {
	const explain = (failure: Parameters<typeof explainFailure>[0]) => explainFailure(failure, CONTEXT);

	it('token refused: the credential fields, and where API clients are created', () => {
		const { message, description } = explain(failureFrom(tokenRefused));
		expect(message).toBe('AppDirect refused to give n8n an access token');
		expect(description).toBe(
			"n8n asked https://marketplace.example.com/oauth2/token for a token with the credential's client ID and secret (invalid_client: Bad client credentials). Check the AppDirect credential: Marketplace URL, the Client ID and Client Secret of an API client (a Marketplace Manager creates one under Manage > Marketplace > Settings > API Clients), and Scope (ROLE_PARTNER_READ or ROLE_PARTNER).",
		);
		expect(explain({ token: { refused: false, status: 502 } }).message).toBe('n8n could not get an access token from AppDirect');
		expect(explain({ token: { refused: false, status: 502 } }).description).toMatch(/and got HTTP 502\. Check the AppDirect credential/);
	});

	it.each([
		[404, 'AppDirect found no such resource (HTTP 404)', /Check the ID \(for a product, its numeric product ID, not its uuid\)\. To get exists = false for a removed resource instead of an error, use Get Current State\.$/],
		[401, 'AppDirect refused the access token', /also after n8n fetched a new token/],
		[403, 'The credential is not allowed to read this resource', /Check the credential's Scope/],
		[429, 'AppDirect is limiting the request rate', /Retry On Fail/],
		[500, 'AppDirect could not answer (HTTP 500)', /a problem on AppDirect's side/],
		[503, 'AppDirect could not answer (HTTP 503)', /Try again later/],
		[400, 'AppDirect refused the request (HTTP 400)', /Check the resource URL or ID/],
	])('HTTP %i', (status, message, description) => {
		const explained = explain({ status });
		expect(explained.message).toBe(message);
		expect(explained.description).toMatch(description);
		expect(explained.description).toContain(CONTEXT.url);
	});

	it('a redirect names only the origin it pointed to', () => {
		expect(explain({ status: 302, location: 'https://evil.example/steal?token=1' })).toEqual({
			message: 'AppDirect answered with a redirect, which the node does not follow',
			description: `${CONTEXT.url} redirected to https://evil.example. The token is only sent to the credential's marketplace: set its Marketplace URL to the address your marketplace is served from.`,
		});
		expect(explain({ status: 301, location: '/api/v2/x' }).description).toContain('redirected to https://marketplace.example.com.');
		expect(explain({ status: 307 }).description).toContain('redirected to another address.');
		expect(explain({ status: 302, location: 'ftp://files.example/x' }).description).toContain('redirected to another address.');
	});

	it('network errors point at the Marketplace URL; anything else keeps its own message', () => {
		expect(explain({ network: 'ENOTFOUND' })).toEqual({
			message: 'n8n cannot reach the marketplace at https://marketplace.example.com',
			description: `The request to ${CONTEXT.url} failed (ENOTFOUND). Check the credential's Marketplace URL and that this n8n can reach it.`,
		});
		expect(explain({ message: 'socket hang up' }).description).toMatch(/^socket hang up \(https:/);
		expect(notAResource(CONTEXT.url).message).toBe("AppDirect's answer is not a resource");
	});
});
