// One CRM template against the stand-ins: the HubSpot or Salesforce stand-in set up as
// docs/crm-recipes.md tells a user to set up the real one (the custom properties or fields, the
// private app or connected app), and the template's credentials created in a real n8n (for
// Salesforce, through the OAuth2 sign-in a user does in the editor). The reliability run and the
// demo use it; the end-to-end tests set the same up step by step.
//
//   const crm = await startCrmStandIn('hubspot');
//   const n8n = await startN8n({ workflows: [crm.templateFile], env: crm.env, … });
//   await crm.connect(n8n, { token, api, apiClient });
//   crm.subscriptions();   // [{ appdirectId, seats }] per record
//   crm.createsOf(id);     // successful creates of the subscription with this AppDirect id
//   await crm.stop();
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	API_CREDENTIAL,
	CREDENTIAL,
	HUBSPOT_CREDENTIAL,
	HUBSPOT_PROPERTIES,
	HUBSPOT_SYNC,
	SALESFORCE_CREDENTIAL,
	SALESFORCE_FIELDS,
	SALESFORCE_SYNC,
} from '../demo/examples.mjs';
import { requestThroughProxy } from './client.mjs';
import { startVendorStandIns } from './index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CRMS = ['hubspot', 'salesforce'];

const propertyOf = (body, name) => body?.properties?.find?.((property) => property.name === name)?.value;

const SETUPS = {
	hubspot: {
		title: 'HubSpot',
		sync: HUBSPOT_SYNC,
		standIns: ({ secret }) => ({
			salesforce: false,
			hubspot: {
				token: secret,
				// As the recipe says: appdirect_id with unique values on each object.
				properties: Object.fromEntries(
					Object.entries(HUBSPOT_PROPERTIES).map(([type, list]) => [type, list.map((property) => ({ name: property.name, hasUniqueValue: property.name === 'appdirect_id' }))]),
				),
			},
		}),
		async credential(n8n, { secret }) {
			await createUnderId(n8n, { ...HUBSPOT_CREDENTIAL, data: { appToken: secret } });
		},
		subscriptions: (vendors) =>
			vendors.hubspot.records('deals').map((record) => ({ appdirectId: record.properties.appdirect_id, seats: Number(record.properties.appdirect_seats) })),
		// n8n's HubSpot node creates a deal with the legacy call; a refused one answers 409.
		createsOf: (vendors, appdirectId) =>
			vendors.hubspot.calls.filter((call) => call.method === 'POST' && call.path === '/deals/v1/deal' && call.status === 200 && propertyOf(call.body, 'appdirect_id') === appdirectId).length,
	},
	salesforce: {
		title: 'Salesforce',
		sync: SALESFORCE_SYNC,
		standIns: ({ secret }) => ({
			hubspot: false,
			salesforce: {
				username: 'sync@appdirect-test.example',
				connectedApp: { clientId: '3MVG9-template-consumer-key', clientSecret: secret },
				objects: Object.fromEntries(
					Object.entries(SALESFORCE_FIELDS).map(([object, fields]) => [object, { customFields: fields.map((field) => field.name), externalIds: ['AppDirect_Id__c'] }]),
				),
			},
		}),
		async credential(n8n, { secret, vendors }) {
			const id = await createUnderId(n8n, { ...SALESFORCE_CREDENTIAL, data: { environment: 'production', clientId: '3MVG9-template-consumer-key', clientSecret: secret } });
			// The sign-in a user does in the editor: the browser's requests go through the proxy.
			const authorizationUrl = await n8n.rest('GET', `/oauth2-credential/auth?id=${id}`);
			const approved = await requestThroughProxy({ proxyUrl: vendors.proxy.url, ca: fs.readFileSync(vendors.authority.certificatePath), url: authorizationUrl });
			await n8n.rest('GET', `/oauth2-credential/callback${new URL(approved.headers.location).search}`);
		},
		subscriptions: (vendors) => vendors.salesforce.records('Opportunity').map((record) => ({ appdirectId: record.AppDirect_Id__c, seats: Number(record.AppDirect_Seats__c) })),
		// Every write is an upsert by External ID: 201 is the one that created the record.
		createsOf: (vendors, appdirectId) =>
			vendors.salesforce.calls.filter((call) => call.method === 'PATCH' && call.status === 201 && /\/sobjects\/opportunity\/AppDirect_Id__c\//i.test(call.path) && decodeURIComponent(call.path.split('/').pop()) === appdirectId)
				.length,
	},
};

/** The template names its credential by id; n8n keeps the id the public API is given. */
async function createUnderId(n8n, credential) {
	const created = await n8n.api('POST', '/credentials', credential);
	const id = String(created?.id ?? credential.id);
	if (id !== credential.id) throw new Error(`n8n gave credential ${credential.id} the id ${id}; the template names it`);
	return id;
}

/** Starts the stand-in of `crm` ('hubspot' or 'salesforce') behind the proxy. */
export async function startCrmStandIn(crm) {
	const setup = SETUPS[crm];
	if (!setup) throw new Error(`unknown CRM "${crm}": ${CRMS.join(', ')}`);
	const secret = crm === 'hubspot' ? `pat-na1-${randomBytes(12).toString('hex')}` : `secret-${randomBytes(8).toString('hex')}`;
	const vendors = await startVendorStandIns(setup.standIns({ secret }));
	return {
		crm,
		title: setup.title,
		vendors,
		sync: setup.sync,
		templateFile: path.join(root, 'examples', setup.sync.file),
		/** What n8n is started with: its requests to the vendor's hosts go to the stand-in. */
		env: vendors.env,
		/**
		 * The template's three credentials in n8n: the trigger's token, the AppDirect API (the
		 * stand-in `api`, client `apiClient`) and the CRM's.
		 */
		async connect(n8n, { token, api, apiClient }) {
			await n8n.api('POST', '/credentials', { ...CREDENTIAL, data: { token } });
			await n8n.api('POST', '/credentials', { ...API_CREDENTIAL, data: { baseUrl: api.url, ...apiClient, scope: 'ROLE_PARTNER_READ' } });
			await setup.credential(n8n, { secret, vendors });
		},
		/** The subscriptions' records: AppDirect id and seats. */
		subscriptions: () => setup.subscriptions(vendors),
		/** How many calls created a record for this subscription (more than 1 is a duplicate). */
		createsOf: (appdirectId) => setup.createsOf(vendors, appdirectId),
		stop: () => vendors.stop(),
	};
}
