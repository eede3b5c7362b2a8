// The HubSpot live-sync template (examples/hubspot-crm-sync.json), imported unchanged into a real
// n8n, with n8n's own HubSpot and HTTP Request nodes reaching the HubSpot stand-in through the test
// proxy and the AppDirect node reading the AppDirect API stand-in. Notifications are sent as
// AppDirect sends them: in order, repeated, late, and several at the same moment.
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { importScript, loadInstanceModule, packPackage, repoRoot, type N8nInstance } from '../helpers/runtime.cjs';
import { appDirectSide, expectImported, missedNotifications, runManually, seededMember, type AppDirectSide } from './crm.cjs';
import { createCredentialUnderId } from './harness.cjs';

jest.setTimeout(180_000);

const HUBSPOT_TOKEN = `pat-na1-${randomBytes(12).toString('hex')}`;
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
	template = JSON.parse(readFileSync(join(repoRoot, 'examples', examples.HUBSPOT_SYNC.file), 'utf8'));
	const { startVendorStandIns } = await importScript('scripts/vendors/index.mjs');
	// The properties as the recipe says to create them: appdirect_id with unique values.
	const properties = Object.fromEntries(
		Object.entries<any[]>(examples.HUBSPOT_PROPERTIES).map(([type, list]) => [type, list.map((property) => ({ name: property.name, hasUniqueValue: property.name === 'appdirect_id' }))]),
	);
	vendors = await startVendorStandIns({ hubspot: { token: HUBSPOT_TOKEN, properties } });
	api = await (await importScript('scripts/appdirect-api/server.mjs')).startAppDirectApi({ clients: [API_CLIENT] });
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: [join(repoRoot, 'examples', examples.HUBSPOT_SYNC.file)],
		webhooks: [{ webhookId: examples.HUBSPOT_SYNC.webhookId, path: examples.WEBHOOK_PATH }],
		env: vendors.env,
	})) as typeof n8n;
	await n8n.api('POST', '/credentials', { ...examples.CREDENTIAL, data: { token: TOKEN } });
	await n8n.api('POST', '/credentials', { ...examples.API_CREDENTIAL, data: { baseUrl: api.url, ...API_CLIENT, scope: 'ROLE_PARTNER_READ' } });
	const id = await createCredentialUnderId(n8n, { ...examples.HUBSPOT_CREDENTIAL, data: { appToken: HUBSPOT_TOKEN } });
	if (id !== examples.HUBSPOT_CREDENTIAL.id) throw new Error(`n8n gave credential ${examples.HUBSPOT_CREDENTIAL.id} the id ${id}; the template names it`);
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await vendors?.stop();
	await api?.close();
});

const side = () =>
	appDirectSide({
		api,
		n8n: () => n8n,
		url: () => n8n.productionWebhookUrl(examples.HUBSPOT_SYNC.webhookId, examples.WEBHOOK_PATH),
		token: TOKEN,
		send: sendNotification,
		clientId: API_CLIENT.clientId,
	});
const notificationAbout: AppDirectSide['notificationAbout'] = (...args) => side().notificationAbout(...args);
const happen: AppDirectSide['happen'] = (...args) => side().happen(...args);
const deliver: AppDirectSide['deliver'] = (...args) => side().deliver(...args);
const current: AppDirectSide['current'] = (...args) => side().current(...args);

const record = (type: string, id: string) => vendors.hubspot.records(type).filter((row: any) => row.properties.appdirect_id === id);
/** Writes to one record (by its HubSpot id) or creates carrying this AppDirect id. */
const writes = (hubspotId: string, appdirectId: string) =>
	vendors.hubspot.calls.filter(
		(call: any) => call.method !== 'GET' && !call.path.includes('/search') && (call.path.includes(`/${hubspotId}`) || JSON.stringify(call.body ?? '').includes(appdirectId)),
	);
const BASE = Date.parse('2026-01-05T10:00:00Z');
const lastEventAt = (row: any) => Number(row.properties.appdirect_last_event_at);

describe('HubSpot live sync', () => {
	const company = randomUUID();
	const user = randomUUID();
	const subscription = randomUUID();

	test('a company, a user and a subscription become a company, an associated contact and a deal', async () => {
		await happen(notificationAbout('company.added', company, BASE, { name: 'Globex Ltd' }));
		await happen(notificationAbout('user.added', user, BASE + 1000, { firstName: 'Ada', lastName: 'Byron', email: 'ada@globex.example', memberships: [{ enabled: true, company: { id: company, name: 'Globex Ltd' } }] }));
		const sub = notificationAbout('subscription.added', subscription, BASE + 2000);
		sub.resource.content.company.id = company;
		sub.resource.content.user.id = user;
		await happen(sub);

		const [account] = record('companies', company);
		expect(account.properties).toMatchObject({ name: 'Globex Ltd', appdirect_status: 'ACTIVE', appdirect_removed: 'false' });
		expect(lastEventAt(account)).toBe(BASE);
		const [contact] = record('contacts', user);
		expect(contact.properties).toMatchObject({ firstname: 'Ada', lastname: 'Byron', email: 'ada@globex.example', appdirect_removed: 'false' });
		expect(vendors.hubspot.associations('contacts', contact.id, 'companies')).toEqual([account.id]);
		const [deal] = record('deals', subscription);
		expect(deal.properties).toMatchObject({ dealstage: 'closedwon', amount: '149.75', appdirect_seats: '25', appdirect_edition_id: '5190' });
		expect(vendors.hubspot.associations('deals', deal.id, 'companies')).toEqual([account.id]);
	});

	test('a repeated notification and an older one delivered late change nothing', async () => {
		const newer = notificationAbout('subscription.changed', subscription, BASE + 20_000, { maxUsers: 60 });
		newer.resource.content.company.id = company;
		await happen(newer);
		const [deal] = record('deals', subscription);
		expect(deal.properties.appdirect_seats).toBe('60');
		const before = writes(deal.id, subscription).length;
		await deliver(newer);
		await deliver(notificationAbout('subscription.changed', subscription, BASE + 10_000, { maxUsers: 40 }));
		expect(writes(deal.id, subscription)).toHaveLength(before);
		expect(record('deals', subscription)[0].properties.appdirect_seats).toBe('60');
		expect(lastEventAt(record('deals', subscription)[0])).toBe(BASE + 20_000);
	});

	test('a removal marks the contact removed and deletes nothing', async () => {
		await happen(notificationAbout('user.removed', user, BASE + 30_000));
		const [contact] = record('contacts', user);
		expect(contact.properties).toMatchObject({ appdirect_removed: 'true', lastname: 'Byron', email: 'ada@globex.example' });
		expect(lastEventAt(contact)).toBe(BASE + 30_000);
		expect(vendors.hubspot.calls.filter((call: any) => call.method === 'DELETE')).toEqual([]);
	});

	test("a new company's first notifications sent at the same moment make exactly one company, with one successful create", async () => {
		const fresh = randomUUID();
		const first = notificationAbout('company.added', fresh, BASE + 40_000, { name: 'Initech' });
		await happen(first, { send: false });
		const burst = [first, ...[1, 2, 3].map((n) => notificationAbout('company.changed', fresh, BASE + 40_000 + n, { name: 'Initech' }))];
		await Promise.all(burst.map(deliver));
		expect(record('companies', fresh)).toHaveLength(1);
		const creates = vendors.hubspot.calls.filter((call: any) => call.method === 'POST' && call.path === '/companies/v2/companies' && JSON.stringify(call.body).includes(fresh));
		expect(creates.filter((call: any) => call.status === 200)).toHaveLength(1);
		// Whatever the timing, every refused create was a conflict, never another error.
		expect(creates.filter((call: any) => call.status !== 200).every((call: any) => call.status === 409)).toBe(true);
		expect(record('companies', fresh)[0].properties).toMatchObject({ name: 'Initech', appdirect_removed: 'false' });
		// Executions that read the record at the same moment may each find it older and write in any
		// order: the content is AppDirect's current state either way; the time is one of the burst's.
		expect(burst.map((notification) => notification.timestamp)).toContain(lastEventAt(record('companies', fresh)[0]));
	});

	test('a create refused with 409 because another execution created the company a moment before: the template reads it again and updates it', async () => {
		const fresh = randomUUID();
		const older = notificationAbout('company.added', fresh, BASE + 50_000, { name: 'Hooli' });
		const newer = notificationAbout('company.changed', fresh, BASE + 50_001, { name: 'Hooli XYZ' });
		await happen(newer, { send: false });
		// Both executions find no company, then both create: HubSpot answers the two creates in the
		// order of their notifications, so the newer one is refused as a duplicate appdirect_id.
		const eventAt = (body: any) => Number(body.properties.find((property: any) => property.name === 'appdirect_last_event_at').value);
		const held = vendors.hubspot.hold({
			match: ({ method, path, body }: any) => method === 'POST' && path === '/companies/v2/companies' && JSON.stringify(body).includes(fresh),
			count: 2,
			order: (a: any, b: any) => eventAt(a) - eventAt(b),
		});
		await Promise.all([deliver(older), deliver(newer)]);
		expect(await held).toBe(2);
		const [company] = record('companies', fresh);
		expect(record('companies', fresh)).toHaveLength(1);
		const mine = vendors.hubspot.calls.filter(
			(call: any) => call.path.includes(fresh) || call.path.endsWith(`/companies/v2/companies/${company.id}`) || (call.method === 'POST' && JSON.stringify(call.body ?? '').includes(fresh)),
		);
		const steps = mine.map((call: any) => `${call.method} ${call.path.replace(fresh, '{appdirect_id}').replace(company.id, '{id}')} ${call.status}`);
		expect(steps).toEqual([
			'GET /crm/v3/objects/companies/{appdirect_id} 404',
			'GET /crm/v3/objects/companies/{appdirect_id} 404',
			'POST /companies/v2/companies 200',
			'POST /companies/v2/companies 409',
			'GET /crm/v3/objects/companies/{appdirect_id} 200',
			'PUT /companies/v2/companies/{id} 200',
		]);
		expect(eventAt(mine[2].body)).toBe(older.timestamp);
		expect(mine[3].answer.category).toBe('CONFLICT');
		expect(mine[5].body.properties).toEqual(expect.arrayContaining([{ name: 'appdirect_last_event_at', value: newer.timestamp }, { name: 'name', value: 'Hooli XYZ' }]));
		expect(company.properties.name).toBe('Hooli XYZ');
		expect(lastEventAt(company)).toBe(newer.timestamp);
	});

	test("the final HubSpot records hold what AppDirect's API shows", async () => {
		expect(record('companies', company)[0].properties.name).toBe((await current(`/api/account/v1/companies/${company}`)).name);
		expect(record('deals', subscription)[0].properties.appdirect_seats).toBe(String((await current(`/api/billing/v1/subscriptions/${subscription}`)).maxUsers));
		expect(await current(`/api/account/v1/users/${user}`)).toBeNull();
		expect(record('contacts', user)[0].properties.appdirect_removed).toBe('true');
	});
});

describe('HubSpot import', () => {
	test("the Manual Trigger writes every company, user and subscription AppDirect lists, once each, as AppDirect's API shows them", async () => {
		api.seed({ companies: 2, from: 700, usersPerCompany: 2, subscriptionsPerCompany: 1, invoicesPerCompany: 0 });
		await runManually(n8n, examples.HUBSPOT_SYNC.id, examples.IMPORT_STEPS.manual);
		expectHubSpotEqualsAppDirect();
		// A seeded user is a member of its company: the contact is associated with that company.
		const member = seededMember(api, 700);
		const [contact] = record('contacts', member.id);
		expect(vendors.hubspot.associations('contacts', contact.id, 'companies')).toEqual([record('companies', member.memberships[0].company.id)[0].id]);
	});
});

describe('HubSpot nightly reconciliation', () => {
	test('after missed notifications, it writes the change and marks the removed subscription; nothing is created', async () => {
		const missed = missedNotifications(api, 700);
		const counts = () => ['companies', 'contacts', 'deals'].map((type) => vendors.hubspot.records(type).length);
		const before = counts();
		await runManually(n8n, examples.HUBSPOT_SYNC.id, examples.RECONCILE_STEPS.nightly);
		expect(record('companies', missed.companyId)[0].properties.name).toBe(missed.name);
		expect(record('deals', missed.subscriptionId)[0].properties.appdirect_removed).toBe('true');
		expect(counts()).toEqual(before);
		expectHubSpotEqualsAppDirect();
	});
});

/** Every company, user and subscription AppDirect lists has one HubSpot record that holds it, not marked removed. */
function expectHubSpotEqualsAppDirect(): void {
	const objects: Record<string, string> = { COMPANY: 'companies', USER: 'contacts', SUBSCRIPTION: 'deals' };
	expectImported(api, (type, id) => record(objects[type], id), (type, { properties }, appdirect) => {
		if (type === 'COMPANY') expect(properties.name).toBe(appdirect.name);
		if (type === 'USER') expect([properties.email, properties.firstname]).toEqual([appdirect.email, appdirect.firstName]);
		if (type === 'SUBSCRIPTION') expect(properties.appdirect_seats).toBe(String(appdirect.maxUsers));
		expect(properties.appdirect_removed).toBe('false');
	});
}

test('the properties docs/crm-recipes.md tells users to create are the ones the template writes', () => {
	const doc = readFileSync(join(repoRoot, 'docs', 'crm-recipes.md'), 'utf8');
	const section = doc.slice(doc.indexOf('## HubSpot'));
	const documented = [...section.matchAll(/^\| (Companies|Contacts|Deals) \| [^|]+\| `(appdirect_\w+)` \|/gm)].map((m) => `${m[1].toLowerCase()}.${m[2]}`);
	const used = new Set<string>();
	const typeOf: Record<string, string> = { company: 'companies', contact: 'contacts', deal: 'deals' };
	for (const node of template.nodes) {
		const text = JSON.stringify(node.parameters);
		const type = node.type === 'n8n-nodes-base.hubspot' ? typeOf[node.parameters.resource] : text.match(/crm\/v3\/objects\/(\w+)\//)?.[1];
		if (!type) continue;
		for (const [, property] of text.matchAll(/"property":"(appdirect_\w+)"/g)) used.add(`${type}.${property}`);
		for (const [, list] of text.matchAll(/"name":"properties","value":"([^"]+)"/g)) {
			for (const property of list.split(',').filter((name) => name.startsWith('appdirect_'))) used.add(`${type}.${property}`);
		}
	}
	expect(documented.sort()).toEqual([...used].sort());
});
