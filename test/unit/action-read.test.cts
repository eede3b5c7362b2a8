// What the AppDirect node makes of AppDirect's answers, item by item. n8n's request helper is
// replaced by one that answers as AppDirect would (the e2e suite runs the same cases in a real n8n).
import { NodeApiError, type IExecuteFunctions, type INode } from 'n8n-workflow';
import { AppDirect } from '../../nodes/AppDirect/AppDirect.node';
import { appDirectApiRequest } from '../../nodes/AppDirect/transport';

const MARKETPLACE = 'https://marketplace.example.com';
const NODE: INode = { id: 'n1', name: 'AppDirect', type: 'n8n-nodes-appdirect.appDirect', typeVersion: 1, position: [0, 0], parameters: {} };

interface Run {
	parameters: Array<Record<string, unknown>>;
	/** AppDirect's answer per requested URL: a status, or a body for 200. */
	answers: Record<string, { status: number; headers?: Record<string, string> } | { body: unknown }>;
	continueOnFail?: boolean;
}

function contextFor(run: Run) {
	const requests: Array<Record<string, unknown>> = [];
	const context = {
		getNode: () => NODE,
		getInputData: () => run.parameters.map(() => ({ json: {} })),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => run.parameters[itemIndex][name] ?? fallback,
		getCredentials: async () => ({ baseUrl: MARKETPLACE }),
		continueOnFail: () => run.continueOnFail === true,
		helpers: {
			httpRequestWithAuthentication: async (_credential: string, options: Record<string, unknown>) => {
				requests.push(options);
				const answer = run.answers[options.url as string] ?? { status: 404 };
				if ('status' in answer) {
					// What n8n's request helper throws for an HTTP error (an axios error underneath).
					throw Object.assign(new Error(`Request failed with status code ${answer.status}`), { response: { status: answer.status, headers: answer.headers ?? {} } });
				}
				return { body: answer.body, headers: { 'content-type': 'application/json' }, statusCode: 200, statusMessage: 'OK' };
			},
		},
	};
	return { context: context as unknown as IExecuteFunctions, requests };
}

const execute = (run: Run) => {
	const { context, requests } = contextFor(run);
	return { result: new AppDirect().execute.call(context), requests };
};

const companyUrl = (id: string) => `${MARKETPLACE}/api/account/v1/companies/${id}`;

describe('a resource AppDirect does not have (404)', () => {
	test('Get fails with a NodeApiError that says what to check', async () => {
		const { result } = execute({ parameters: [{ operation: 'get', resourceType: 'COMPANY', id: 'no-such-company' }], answers: {} });
		const error = await result.catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({ httpCode: '404', message: 'AppDirect found no such resource (HTTP 404)' });
		expect((error as NodeApiError).description).toContain(`${companyUrl('no-such-company')}: no resource has this ID, or it was removed`);
	});

	test('Get with Continue On Fail: an error item for the missing one, the others read', async () => {
		const { result } = execute({
			continueOnFail: true,
			parameters: [
				{ operation: 'get', resourceType: 'COMPANY', id: 'missing' },
				{ operation: 'get', resourceType: 'COMPANY', id: 'c1' },
			],
			answers: { [companyUrl('c1')]: { body: { id: 'c1', name: 'Acme Corp' } } },
		});
		const [items] = await result;
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items[0].json).toEqual({ error: 'AppDirect found no such resource (HTTP 404)' });
		expect(items[1].json).toMatchObject({ resourceType: 'COMPANY', resourceId: 'c1', exists: true, name: 'Acme Corp' });
	});

	test('Get Current State outputs exists: false: the notified resource was removed', async () => {
		const { result, requests } = execute({ parameters: [{ operation: 'getCurrentState', resourceUrl: companyUrl('removed') }], answers: {} });
		const [items] = await result;
		expect(items[0].json).toMatchObject({ resourceType: 'COMPANY', resourceId: 'removed', exists: false, content: null });
		expect(requests.map((request) => request.url)).toEqual([companyUrl('removed')]);
	});

	test('other errors fail both operations alike', async () => {
		for (const operation of ['get', 'getCurrentState']) {
			const { result } = execute({ parameters: [{ operation, resourceType: 'COMPANY', id: 'c1', resourceUrl: companyUrl('c1') }], answers: { [companyUrl('c1')]: { status: 403 } } });
			await expect(result).rejects.toMatchObject({ httpCode: '403', message: 'The credential is not allowed to read this resource' });
		}
	});
});

describe('every request goes through the transport', () => {
	test('with the origin rule, a timeout, no redirects, and the full response', async () => {
		const { result, requests } = execute({ parameters: [{ operation: 'get', resourceType: 'COMPANY', id: 'c1' }], answers: { [companyUrl('c1')]: { body: { id: 'c1' } } } });
		await result;
		expect(requests).toEqual([
			expect.objectContaining({
				method: 'GET',
				url: companyUrl('c1'),
				returnFullResponse: true,
				timeout: 30_000,
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
				allowedDomains: 'marketplace.example.com',
			}),
		]);
	});
});

describe('appDirectApiRequest', () => {
	const LIST = `${MARKETPLACE}/api/account/v2/companies`;

	test('takes a path on the marketplace and a query, and gives body, headers and status', async () => {
		const { context, requests } = contextFor({ parameters: [{}], answers: { [LIST]: { body: { content: [] } } } });
		const response = await appDirectApiRequest(context, 0, { method: 'GET', url: '/api/account/v2/companies', qs: { page: 2, size: 50 } });
		expect(response).toEqual({ body: { content: [] }, headers: { 'content-type': 'application/json' }, statusCode: 200 });
		expect(requests[0]).toMatchObject({ url: LIST, qs: { page: 2, size: 50 } });
	});

	test('answers the error statuses its caller handles (a 429 with its Retry-After), and throws the others', async () => {
		const { context } = contextFor({ parameters: [{}], answers: { [LIST]: { status: 429, headers: { 'retry-after': '3' } } } });
		expect(await appDirectApiRequest(context, 0, { method: 'GET', url: LIST, answerStatuses: [429] })).toEqual({ body: null, headers: { 'retry-after': '3' }, statusCode: 429 });
		await expect(appDirectApiRequest(context, 0, { method: 'GET', url: LIST })).rejects.toMatchObject({ httpCode: '429', message: 'AppDirect is limiting the request rate' });
	});

	test('sends nothing anywhere but the credential’s marketplace, under /api/', async () => {
		const { context, requests } = contextFor({ parameters: [{}], answers: {} });
		for (const url of ['https://elsewhere.example/api/account/v2/companies', `${MARKETPLACE}/oauth2/token`, '//elsewhere.example/api/x']) {
			await expect(appDirectApiRequest(context, 0, { method: 'GET', url })).rejects.toThrow(/^Refused to /);
		}
		expect(requests).toEqual([]);
	});
});
