// The Salesforce live-sync template (examples/salesforce-crm-sync.json), imported unchanged into a
// real n8n, with n8n's own Salesforce node reaching the Salesforce stand-in through the test proxy
// and the AppDirect node reading the AppDirect API stand-in. Notifications are sent as AppDirect
// sends them: in order, repeated, late, and several at the same moment.
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { importScript, loadInstanceModule, packPackage, repoRoot, type N8nInstance } from '../helpers/runtime.cjs';
import { appDirectSide, expectImported, missedNotifications, runManually, seededMember, type AppDirectSide } from './crm.cjs';
import { createCredentialUnderId } from './harness.cjs';

jest.setTimeout(180_000);

const SALESFORCE_USER = 'sync@appdirect-test.example';
const SALESFORCE_CLIENT = '3MVG9-template-consumer-key';
const SALESFORCE_SECRET = `secret-${randomBytes(8).toString('hex')}`;
const TOKEN = `token-${randomBytes(12).toString('hex')}`;
const API_CLIENT = { clientId: 'n8n-crm', clientSecret: `api-${randomBytes(8).toString('hex')}` };

let examples: any;
let vendors: any;
let api: any;
let n8n: N8nInstance & Record<string, any>;
let sendNotification: (url: string, notification: unknown, options: { token: string }) => Promise<{ status: number; text: string }>;
let template: any;

beforeAll(async () => {
	examples = await importScript('scripts/demo/examples.mjs');
	({ sendNotification } = await importScript('scripts/send/run.mjs'));
	template = JSON.parse(readFileSync(join(repoRoot, 'examples', examples.SALESFORCE_SYNC.file), 'utf8'));
	const fields = (object: string) => examples.SALESFORCE_FIELDS[object].map((field: any) => field.name);
	const { startVendorStandIns } = await importScript('scripts/vendors/index.mjs');
	vendors = await startVendorStandIns({
		salesforce: {
			username: SALESFORCE_USER,
			connectedApp: { clientId: SALESFORCE_CLIENT, clientSecret: SALESFORCE_SECRET },
			objects: Object.fromEntries(['Account', 'Contact', 'Opportunity'].map((object) => [object, { customFields: fields(object), externalIds: ['AppDirect_Id__c'] }])),
		},
	});
	api = await (await importScript('scripts/appdirect-api/server.mjs')).startAppDirectApi({ clients: [API_CLIENT] });
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: [join(repoRoot, 'examples', examples.SALESFORCE_SYNC.file)],
		webhooks: [{ webhookId: examples.SALESFORCE_SYNC.webhookId, path: examples.WEBHOOK_PATH }],
		env: vendors.env,
	})) as typeof n8n;
	await n8n.api('POST', '/credentials', { ...examples.CREDENTIAL, data: { token: TOKEN } });
	await n8n.api('POST', '/credentials', { ...examples.API_CREDENTIAL, data: { baseUrl: api.url, ...API_CLIENT, scope: 'ROLE_PARTNER_READ' } });
	await signInToSalesforce();
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await vendors?.stop();
	await api?.close();
});

/** The OAuth2 sign-in a user does in the editor, with the browser's requests sent through the proxy. */
async function signInToSalesforce(): Promise<void> {
	const { requestThroughProxy } = await importScript('scripts/vendors/client.mjs');
	const credential = examples.SALESFORCE_CREDENTIAL;
	const id = await createCredentialUnderId(n8n, { ...credential, data: { environment: 'production', clientId: SALESFORCE_CLIENT, clientSecret: SALESFORCE_SECRET } });
	if (id !== credential.id) throw new Error(`n8n gave credential ${credential.id} the id ${id}; the template names it`);
	const authorizationUrl = await n8n.rest('GET', `/oauth2-credential/auth?id=${id}`);
	const approved = await requestThroughProxy({ proxyUrl: vendors.proxy.url, ca: readFileSync(vendors.authority.certificatePath), url: authorizationUrl });
	await n8n.rest('GET', `/oauth2-credential/callback${new URL(approved.headers.location).search}`);
}

const side = () =>
	appDirectSide({
		api,
		n8n: () => n8n,
		url: () => n8n.productionWebhookUrl(examples.SALESFORCE_SYNC.webhookId, examples.WEBHOOK_PATH),
		token: TOKEN,
		send: sendNotification,
		clientId: API_CLIENT.clientId,
	});
const notificationAbout: AppDirectSide['notificationAbout'] = (...args) => side().notificationAbout(...args);
const happen: AppDirectSide['happen'] = (...args) => side().happen(...args);
const deliver: AppDirectSide['deliver'] = (...args) => side().deliver(...args);
const current: AppDirectSide['current'] = (...args) => side().current(...args);

const record = (object: string, id: string) => vendors.salesforce.records(object).filter((row: any) => row.AppDirect_Id__c === id);
const writes = (object: string, id: string) =>
	vendors.salesforce.calls.filter((call: any) => call.method !== 'GET' && call.path.toLowerCase().includes(`/sobjects/${object.toLowerCase()}/`) && call.path.includes(id));
const BASE = Date.parse('2026-01-05T10:00:00Z');

describe('Salesforce live sync', () => {
	const company = randomUUID();
	const user = randomUUID();
	const subscription = randomUUID();

	test('a company, a user and a subscription become an Account, a linked Contact and an Opportunity', async () => {
		await happen(notificationAbout('company.added', company, BASE, { name: 'Globex Ltd' }));
		await happen(notificationAbout('user.added', user, BASE + 1000, { firstName: 'Ada', lastName: 'Byron', email: 'ada@globex.example', memberships: [{ enabled: true, company: { id: company, name: 'Globex Ltd' } }] }));
		const sub = notificationAbout('subscription.added', subscription, BASE + 2000);
		sub.resource.content.company.id = company;
		sub.resource.content.user.id = user;
		await happen(sub);

		const [account] = record('Account', company);
		expect(account).toMatchObject({ Name: 'Globex Ltd', AppDirect_Status__c: 'ACTIVE', AppDirect_Removed__c: false });
		expect(new Date(account.AppDirect_Last_Event_At__c).getTime()).toBe(BASE);
		const [contact] = record('Contact', user);
		expect(contact).toMatchObject({ FirstName: 'Ada', LastName: 'Byron', Email: 'ada@globex.example', AccountId: account.Id, AppDirect_Removed__c: false });
		const [opportunity] = record('Opportunity', subscription);
		expect(opportunity).toMatchObject({ StageName: 'Closed Won', Amount: 149.75, AccountId: account.Id, AppDirect_Seats__c: 25, AppDirect_Edition_Id__c: '5190' });
		// Upserts by External ID only: no plain create anywhere.
		expect(vendors.salesforce.calls.filter((call: any) => call.method === 'POST' && call.path.includes('/sobjects/'))).toEqual([]);
	});

	test('a repeated notification and an older one delivered late change nothing', async () => {
		const newer = notificationAbout('subscription.changed', subscription, BASE + 20_000, { maxUsers: 60 });
		newer.resource.content.company.id = company;
		await happen(newer);
		expect(record('Opportunity', subscription)[0].AppDirect_Seats__c).toBe(60);
		const before = writes('Opportunity', subscription).length;
		await deliver(newer);
		// Older than what Salesforce holds: skipped, even though the API shows the same state.
		await deliver(notificationAbout('subscription.changed', subscription, BASE + 10_000, { maxUsers: 40 }));
		expect(writes('Opportunity', subscription)).toHaveLength(before);
		const [opportunity] = record('Opportunity', subscription);
		expect(opportunity.AppDirect_Seats__c).toBe(60);
		expect(new Date(opportunity.AppDirect_Last_Event_At__c).getTime()).toBe(BASE + 20_000);
	});

	test('a removal marks the Contact removed and deletes nothing', async () => {
		await happen(notificationAbout('user.removed', user, BASE + 30_000));
		const [contact] = record('Contact', user);
		expect(contact).toMatchObject({ AppDirect_Removed__c: true, LastName: 'Byron', Email: 'ada@globex.example' });
		expect(new Date(contact.AppDirect_Last_Event_At__c).getTime()).toBe(BASE + 30_000);
		expect(vendors.salesforce.calls.filter((call: any) => call.method === 'DELETE')).toEqual([]);
	});

	test("a new company's first notifications sent at the same moment make exactly one Account", async () => {
		const fresh = randomUUID();
		const first = notificationAbout('company.added', fresh, BASE + 40_000, { name: 'Initech' });
		await happen(first, { send: false });
		const burst = [first, ...[1, 2, 3].map((n) => notificationAbout('company.changed', fresh, BASE + 40_000 + n, { name: 'Initech' }))];
		await Promise.all(burst.map(deliver));
		expect(record('Account', fresh)).toHaveLength(1);
		const upserts = writes('Account', fresh).filter((call: any) => call.method === 'PATCH');
		expect(upserts.filter((call: any) => call.status === 201)).toHaveLength(1);
		expect(record('Account', fresh)[0]).toMatchObject({ Name: 'Initech', AppDirect_Removed__c: false });
	});

	test("the final Salesforce records hold what AppDirect's API shows", async () => {
		const appDirectCompany = await current(`/api/account/v1/companies/${company}`);
		expect(record('Account', company)[0].Name).toBe(appDirectCompany.name);
		const appDirectSubscription = await current(`/api/billing/v1/subscriptions/${subscription}`);
		expect(record('Opportunity', subscription)[0].AppDirect_Seats__c).toBe(appDirectSubscription.maxUsers);
		// Gone from AppDirect, marked in Salesforce.
		expect(await current(`/api/account/v1/users/${user}`)).toBeNull();
		expect(record('Contact', user)[0].AppDirect_Removed__c).toBe(true);
	});
});

describe('Salesforce import', () => {
	test("the Manual Trigger writes every company, user and subscription AppDirect lists, once each, as AppDirect's API shows them", async () => {
		api.seed({ companies: 2, from: 800, usersPerCompany: 2, subscriptionsPerCompany: 1, invoicesPerCompany: 0 });
		await runManually(n8n, examples.SALESFORCE_SYNC.id, examples.IMPORT_STEPS.manual);
		expectSalesforceEqualsAppDirect();
		// A seeded user is a member of its company: the contact is linked to that company's Account.
		const member = seededMember(api, 800);
		expect(record('Contact', member.id)[0].AccountId).toBe(record('Account', member.memberships[0].company.id)[0].Id);
	});
});

describe('Salesforce nightly reconciliation', () => {
	test('after missed notifications, it writes the change and marks the removed subscription; nothing is created', async () => {
		const missed = missedNotifications(api, 800);
		const counts = () => ['Account', 'Contact', 'Opportunity'].map((object) => vendors.salesforce.records(object).length);
		const before = counts();
		await runManually(n8n, examples.SALESFORCE_SYNC.id, examples.RECONCILE_STEPS.nightly);
		expect(record('Account', missed.companyId)[0].Name).toBe(missed.name);
		expect(record('Opportunity', missed.subscriptionId)[0].AppDirect_Removed__c).toBe(true);
		expect(counts()).toEqual(before);
		expectSalesforceEqualsAppDirect();
	});
});

/** Every company, user and subscription AppDirect lists has one Salesforce record that holds it, not marked removed. */
function expectSalesforceEqualsAppDirect(): void {
	const objects: Record<string, string> = { COMPANY: 'Account', USER: 'Contact', SUBSCRIPTION: 'Opportunity' };
	expectImported(api, (type, id) => record(objects[type], id), (type, found, appdirect) => {
		if (type === 'COMPANY') expect(found.Name).toBe(appdirect.name);
		if (type === 'USER') expect([found.Email, found.FirstName]).toEqual([appdirect.email, appdirect.firstName]);
		if (type === 'SUBSCRIPTION') expect(found.AppDirect_Seats__c).toBe(appdirect.maxUsers);
		expect(found.AppDirect_Removed__c).toBe(false);
	});
}

test('the fields docs/crm-recipes.md tells users to create are the ones the template writes', () => {
	const doc = readFileSync(join(repoRoot, 'docs', 'crm-recipes.md'), 'utf8');
	const section = doc.slice(doc.indexOf('## Salesforce'));
	const documented = [...section.matchAll(/^\| (Account|Contact|Opportunity) \| [^|]+\| `(\w+__c)` \|/gm)].map((m) => `${m[1]}.${m[2]}`);
	const used = new Set<string>();
	for (const node of template.nodes.filter((node: any) => node.type === 'n8n-nodes-base.salesforce')) {
		const object = ({ account: 'Account', contact: 'Contact', opportunity: 'Opportunity' } as Record<string, string>)[node.parameters.resource];
		const text = JSON.stringify(node.parameters);
		for (const [, field] of text.matchAll(/"(\w+__c)"/g)) used.add(`${object}.${field}`);
		for (const [, field] of text.matchAll(/[,"](\w+__c)[,"]/g)) used.add(`${object}.${field}`);
	}
	expect(documented.sort()).toEqual([...used].sort());
});
