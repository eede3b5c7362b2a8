// n8n's own HubSpot and Salesforce nodes, unchanged, in a real n8n whose vendor calls go through
// the local intercepting proxy (HTTPS_PROXY, NODE_EXTRA_CA_CERTS) to the stand-ins in
// scripts/vendors/. The stand-ins' call records show what the nodes really send; the proxy's
// record shows that a request for any other host was refused, so nothing left the machine.
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { importScript, loadInstanceModule, type N8nInstance } from '../helpers/runtime.cjs';
import { createCredentialUnderId } from './harness.cjs';

jest.setTimeout(120_000);

const WORKFLOW_ID = 'e2eVendorNodes01';
const WEBHOOK_ID = 'b6f0c2de-5a1e-4d39-9d0e-vendors00001';
// n8n's Webhook node listens on /webhook/<path> (its id is not part of the URL).
const WEBHOOK_PATH = 'vendors-e2e';
const HUBSPOT_TOKEN = `pat-na1-${randomBytes(12).toString('hex')}`;
const HUBSPOT_CREDENTIAL = { id: 'e2eHubSpotKey001', name: 'HubSpot (stand-in)', type: 'hubspotAppToken' };
const SALESFORCE_CREDENTIAL = { id: 'e2eSalesforce001', name: 'Salesforce JWT (stand-in)', type: 'salesforceJwtApi' };
const SALESFORCE_OAUTH_CREDENTIAL = { id: 'e2eSalesforceOA1', name: 'Salesforce OAuth2 (stand-in)', type: 'salesforceOAuth2Api' };
const SALESFORCE_SECRET = `secret-${randomBytes(8).toString('hex')}`;
const SALESFORCE_USER = 'sync@appdirect-test.example';
const SALESFORCE_CLIENT = '3MVG9-e2e-consumer-key';
const API_VERSION = 'v59.0';

/** What the test posts: one AppDirect company, as a template would receive it. */
const COMPANY = { id: `ad-${randomBytes(4).toString('hex')}`, name: 'Acme Widgets', domain: 'acme-widgets.example', email: 'ada@acme-widgets.example' };

type Node = Record<string, unknown>;
const webhookBody = (field: string) => `={{ $('Webhook').first().json.body.${field} }}`;

/** One of n8n's vendor nodes with its credential; `authentication` picks the credential type. */
function vendorNode(type: string, typeVersion: number, authentication: string, credential: { id: string; name: string; type: string }) {
	return (name: string, parameters: Record<string, unknown>, extra: Node = {}): Node => ({
		name,
		type,
		typeVersion,
		parameters: { authentication, ...parameters },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		...extra,
	});
}
const hubspot = vendorNode('n8n-nodes-base.hubspot', 2.2, 'appToken', HUBSPOT_CREDENTIAL);
const salesforce = vendorNode('n8n-nodes-base.salesforce', 1.1, 'jwt', SALESFORCE_CREDENTIAL);
const salesforceOAuth2 = vendorNode('n8n-nodes-base.salesforce', 1.1, 'oAuth2', SALESFORCE_OAUTH_CREDENTIAL);

const companyProperties = { customPropertiesUi: { customPropertiesValues: [{ property: 'appdirect_id', value: webhookBody('id') }] } };

/** One chain through both CRMs: each step reads the webhook's body, so item pairing cannot mislead it. */
const NODES: Node[] = [
	{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: WEBHOOK_ID, parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} } },
	hubspot('Create company', { resource: 'company', operation: 'create', name: webhookBody('name'), additionalFields: { companyDomainName: webhookBody('domain'), ...companyProperties } }),
	hubspot('Search company by domain', { resource: 'company', operation: 'searchByDomain', domain: webhookBody('domain'), returnAll: false, limit: 10, options: {} }),
	// The HubSpot node cannot search companies by a property: n8n's HTTP Request node, with the same
	// credential, reads the company by its unique AppDirect id (CRM v3, idProperty).
	{
		name: 'Find company by AppDirect id',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'GET',
			url: "={{ 'https://api.hubapi.com/crm/v3/objects/companies/' + encodeURIComponent($('Webhook').first().json.body.id) }}",
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'hubspotAppToken',
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'idProperty', value: 'appdirect_id' }, { name: 'properties', value: 'name,appdirect_id' }] },
			options: {},
		},
		credentials: { hubspotAppToken: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	},
	// The same AppDirect id again: HubSpot refuses a second record with a unique value.
	hubspot('Create company again', { resource: 'company', operation: 'create', name: webhookBody('name'), additionalFields: companyProperties }, { onError: 'continueRegularOutput' }),
	hubspot('Upsert contact', {
		resource: 'contact',
		operation: 'upsert',
		email: webhookBody('email'),
		additionalFields: { firstName: 'Ada', lastName: 'Lovelace', associatedCompanyId: "={{ $('Create company').first().json.companyId }}" },
		options: {},
	}),
	hubspot('Create deal', {
		resource: 'deal',
		operation: 'create',
		stage: 'appointmentscheduled',
		additionalFields: { dealName: '={{ "Subscription of " + $("Webhook").first().json.body.name }}', associatedCompany: "={{ [$('Create company').first().json.companyId] }}" },
	}),
	hubspot('Search contact', {
		resource: 'contact',
		operation: 'search',
		returnAll: false,
		limit: 5,
		filterGroupsUi: { filterGroupsValues: [{ filtersUi: { filterValues: [{ propertyName: 'email|string', operator: 'EQ', value: webhookBody('email') }] } }] },
		additionalFields: { properties: ['email', 'firstname', 'lastname'] },
	}),
	salesforce('Upsert account', { resource: 'account', operation: 'upsert', externalId: 'AppDirect_Id__c', externalIdValue: webhookBody('id'), name: webhookBody('name'), additionalFields: {} }),
	salesforce('Upsert account again', { resource: 'account', operation: 'upsert', externalId: 'AppDirect_Id__c', externalIdValue: webhookBody('id'), name: '={{ $("Webhook").first().json.body.name + " Inc." }}', additionalFields: { website: webhookBody('domain') } }),
	salesforce('Find account', {
		resource: 'account',
		operation: 'getAll',
		returnAll: false,
		limit: 5,
		options: { fields: 'Id,Name,Website,AppDirect_Id__c', conditionsUi: { conditionValues: [{ field: 'AppDirect_Id__c', operation: 'equal', value: webhookBody('id') }] } },
	}),
	// The default credential (OAuth2, authorization code with PKCE), signed in as a browser does.
	salesforceOAuth2('Query with OAuth2', { resource: 'search', operation: 'query', query: `={{ "SELECT Id, Name FROM Account WHERE AppDirect_Id__c = '" + $('Webhook').first().json.body.id + "'" }}` }),
	// Any other host: the proxy must refuse it, and the node says so.
	{ name: 'Other host', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, onError: 'continueRegularOutput', parameters: { method: 'GET', url: 'https://example.com/', options: {} } },
].map((node, index) => ({ id: `vendor-node-${index}`, position: [index * 220, 0], ...node }));

const WORKFLOW = {
	id: WORKFLOW_ID,
	name: 'Vendor nodes through the test proxy',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: NODES,
	connections: Object.fromEntries(
		NODES.slice(0, -1).map((node, index) => [node.name, { main: [[{ node: NODES[index + 1].name, type: 'main', index: 0 }]] }]),
	),
};

let vendors: any;
let n8n: N8nInstance & Record<string, any>;
let execution: Record<string, any>;
let nodeOutputs: (execution: unknown, node: string) => Array<Array<Record<string, any>>> | undefined;

beforeAll(async () => {
	const { startVendorStandIns } = await importScript('scripts/vendors/index.mjs');
	vendors = await startVendorStandIns({
		hubspot: { token: HUBSPOT_TOKEN, properties: { companies: [{ name: 'appdirect_id', label: 'AppDirect ID', hasUniqueValue: true }] } },
		salesforce: {
			username: SALESFORCE_USER,
			connectedApp: { clientId: SALESFORCE_CLIENT, clientSecret: SALESFORCE_SECRET },
			objects: { Account: { customFields: ['AppDirect_Id__c'], externalIds: ['AppDirect_Id__c'] } },
		},
	});
	const instance = await loadInstanceModule();
	nodeOutputs = instance.nodeOutputs;
	n8n = (await instance.startN8n({
		workflows: [WORKFLOW],
		publish: false,
		env: vendors.env,
		keepUserFolder: process.env.APPDIRECT_E2E_KEEP === '1',
	})) as typeof n8n;
	for (const [credential, data] of [
		[HUBSPOT_CREDENTIAL, { appToken: HUBSPOT_TOKEN }],
		[SALESFORCE_CREDENTIAL, { environment: 'production', clientId: SALESFORCE_CLIENT, username: SALESFORCE_USER, privateKey: vendors.keys.privateKey }],
	] as const) {
		const actual = await createCredentialUnderId(n8n, { ...credential, data });
		if (actual !== credential.id) throw new Error(`n8n gave credential ${credential.id} the id ${actual}; this test names it in its workflow`);
	}
	await signInToSalesforce();
	await n8n.api('POST', `/workflows/${WORKFLOW_ID}/publish`, {});
	await n8n.waitForPublished(WORKFLOW_ID);
	await n8n.waitForWebhook({ webhookId: WEBHOOK_PATH, path: '', method: 'POST' });
	const answer = await fetch(n8n.productionWebhookUrl(WEBHOOK_PATH, ''), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(COMPANY),
	});
	expect(answer.status).toBe(200);
	[execution] = await n8n.waitForExecutions({ workflowId: WORKFLOW_ID, count: 1, timeoutMs: 60_000 });
}, 240_000);

/**
 * The OAuth2 sign-in a user does in the editor: n8n gives the authorization URL, the browser (here,
 * a request through the proxy) gets the stand-in's redirect, and n8n's callback exchanges the code.
 */
async function signInToSalesforce(): Promise<void> {
	const { requestThroughProxy } = await importScript('scripts/vendors/client.mjs');
	const actual = await createCredentialUnderId(n8n, {
		...SALESFORCE_OAUTH_CREDENTIAL,
		data: { environment: 'production', clientId: SALESFORCE_CLIENT, clientSecret: SALESFORCE_SECRET },
	});
	if (actual !== SALESFORCE_OAUTH_CREDENTIAL.id) throw new Error(`n8n gave credential ${SALESFORCE_OAUTH_CREDENTIAL.id} the id ${actual}`);
	const authorizationUrl = await n8n.rest('GET', `/oauth2-credential/auth?id=${actual}`);
	expect(new URL(authorizationUrl).host).toBe('login.salesforce.com');
	const approved = await requestThroughProxy({ proxyUrl: vendors.proxy.url, ca: readFileSync(vendors.authority.certificatePath), url: authorizationUrl });
	expect(approved.status).toBe(302);
	const callback = new URL(approved.headers.location);
	expect(callback.pathname).toBe('/rest/oauth2-credential/callback');
	await n8n.rest('GET', `/oauth2-credential/callback${callback.search}`);
}

afterAll(async () => {
	await n8n?.stop();
	await vendors?.stop();
});

const output = (node: string) => nodeOutputs(execution, node)?.[0] ?? [];
const calls = (standIn: { calls: Array<Record<string, any>> }) => standIn.calls.map((call) => `${call.method} ${call.path} ${call.status}`);

test('the workflow ran to its end with every vendor node', () => {
	const ran = Object.keys(execution.data?.resultData?.runData ?? {});
	expect(ran.sort()).toEqual(NODES.map((node) => node.name as string).sort());
	expect(execution.data?.resultData?.error).toBeUndefined();
});

test("HubSpot: n8n's node created the company with its unique AppDirect id, found it by domain, and by that id", () => {
	const [created] = output('Create company');
	expect(created.properties.appdirect_id.value).toBe(COMPANY.id);
	expect(created.properties.domain.value).toBe(COMPANY.domain);
	expect(output('Search company by domain').map((company) => company.companyId)).toEqual([created.companyId]);
	expect(output('Find company by AppDirect id')).toEqual([
		expect.objectContaining({ id: String(created.companyId), properties: { name: COMPANY.name, appdirect_id: COMPANY.id } }),
	]);
	expect(vendors.hubspot.records('companies')).toHaveLength(1);
	const create = vendors.hubspot.calls.find((call: any) => call.method === 'POST' && call.path === '/companies/v2/companies');
	expect(create.body.properties).toEqual(
		expect.arrayContaining([
			{ name: 'name', value: COMPANY.name },
			{ name: 'domain', value: COMPANY.domain },
			{ name: 'appdirect_id', value: COMPANY.id },
		]),
	);
});

test('HubSpot: a second create with the same unique value is refused with 409 Conflict, and no second company exists', () => {
	// With "continue" on error the HubSpot node keeps only n8n's generic message for a 4xx answer;
	// the stand-in's record shows what HubSpot answered.
	const [refused] = output('Create company again');
	expect(refused).toEqual({ error: expect.any(String) });
	expect(vendors.hubspot.records('companies')).toHaveLength(1);
	const creates = vendors.hubspot.calls.filter((call: any) => call.method === 'POST' && call.path === '/companies/v2/companies');
	expect(creates.map((call: any) => call.status)).toEqual([200, 409]);
	expect(creates[1].answer).toMatchObject({ status: 'error', category: 'CONFLICT' });
});

test('HubSpot: the contact is associated with its company, the deal too, and the contact search finds it', () => {
	const [company] = vendors.hubspot.records('companies');
	const [contact] = vendors.hubspot.records('contacts');
	const [deal] = vendors.hubspot.records('deals');
	expect(contact.properties.email).toBe(COMPANY.email);
	expect(vendors.hubspot.associations('contacts', contact.id, 'companies')).toEqual([company.id]);
	expect(vendors.hubspot.associations('deals', deal.id, 'companies')).toEqual([company.id]);
	expect(output('Search contact').map((found) => found.id)).toEqual([contact.id]);
	const search = vendors.hubspot.calls.find((call: any) => call.path === '/crm/v3/objects/contacts/search');
	expect(search.body.filterGroups).toEqual([{ filters: [{ propertyName: 'email', operator: 'EQ', value: COMPANY.email }] }]);
});

test('HubSpot: every call carried the private-app token, and these are the endpoints the node called', () => {
	expect(vendors.hubspot.calls.every((call: any) => call.status !== 401)).toBe(true);
	expect(calls(vendors.hubspot)).toEqual([
		'POST /companies/v2/companies 200',
		`POST /companies/v2/domains/${COMPANY.domain}/companies 200`,
		`GET /crm/v3/objects/companies/${COMPANY.id} 200`,
		'POST /companies/v2/companies 409',
		`POST /contacts/v1/contact/createOrUpdate/email/${COMPANY.email} 200`,
		'PUT /crm-associations/v1/associations/create-batch 204',
		expect.stringMatching(/^GET \/contacts\/v1\/contact\/vid\/\d+\/profile 200$/),
		'POST /deals/v1/deal 200',
		'POST /crm/v3/objects/contacts/search 200',
	]);
});

test("Salesforce: n8n's JWT credential got a token from login.salesforce.com through the proxy, signed with the key pair", () => {
	const tokenCalls = vendors.salesforce.calls.filter((call: any) => call.path === '/services/oauth2/token' && call.body?.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer');
	expect(tokenCalls.length).toBeGreaterThanOrEqual(1);
	for (const call of tokenCalls) {
		expect(call).toMatchObject({ host: 'login.salesforce.com', method: 'POST', status: 200 });
		expect(call.body.assertion.split('.')).toHaveLength(3);
	}
});

test('Salesforce: upsert by External ID created the account (201), then updated it (200), and the query found one', () => {
	const upserts = vendors.salesforce.calls.filter((call: any) => call.method === 'PATCH');
	expect(upserts.map((call: any) => `${call.host} ${call.path} ${call.status}`)).toEqual([
		`appdirect-test.my.salesforce.com /services/data/${API_VERSION}/sobjects/account/AppDirect_Id__c/${COMPANY.id} 201`,
		`appdirect-test.my.salesforce.com /services/data/${API_VERSION}/sobjects/account/AppDirect_Id__c/${COMPANY.id} 200`,
	]);
	expect(upserts[0].answer).toMatchObject({ success: true, created: true });
	expect(upserts[1].answer).toMatchObject({ success: true, created: false });
	const accounts = vendors.salesforce.records('Account');
	expect(accounts).toHaveLength(1);
	expect(accounts[0]).toMatchObject({ Name: `${COMPANY.name} Inc.`, Website: COMPANY.domain, AppDirect_Id__c: COMPANY.id });
	const query = vendors.salesforce.calls.find((call: any) => call.path === `/services/data/${API_VERSION}/query`);
	expect(query.query.q).toBe(`SELECT Id,Name,Website,AppDirect_Id__c FROM Account WHERE AppDirect_Id__c = '${COMPANY.id}' LIMIT 5`);
	expect(output('Find account')).toEqual([expect.objectContaining({ Id: accounts[0].Id, Name: `${COMPANY.name} Inc.`, AppDirect_Id__c: COMPANY.id })]);
});

test("Salesforce: the OAuth2 credential's code exchange went through the proxy, and its token reads the account", () => {
	const exchanges = vendors.salesforce.calls.filter((call: any) => call.path === '/services/oauth2/token' && call.body?.grant_type === 'authorization_code');
	expect(exchanges.map((call: any) => `${call.host} ${call.status}`)).toEqual(['login.salesforce.com 200']);
	expect(exchanges[0].body.code_verifier).toEqual(expect.any(String));
	const [account] = vendors.salesforce.records('Account');
	expect(output('Query with OAuth2')).toEqual([expect.objectContaining({ Id: account.Id, Name: account.Name })]);
});

test('the proxy refused the other host, and nothing but the vendor hosts was asked for', () => {
	const [other] = output('Other host');
	expect(other.error).toBeDefined();
	expect(vendors.proxy.refused.map((entry: any) => entry.target)).toEqual(['example.com:443']);
	const tunnelled = new Set(vendors.proxy.tunnels.map((tunnel: any) => tunnel.host));
	expect([...tunnelled].sort()).toEqual(['api.hubapi.com', 'appdirect-test.my.salesforce.com', 'login.salesforce.com']);
	expect(vendors.proxy.tlsErrors).toEqual([]);
	// n8n trusted the test authority only through NODE_EXTRA_CA_CERTS: it is no file of the repository.
	expect(readFileSync(n8n.env?.NODE_EXTRA_CA_CERTS ?? vendors.authority.certificatePath, 'utf8')).toContain('BEGIN CERTIFICATE');
});
