// `npm run demo -- --crm hubspot` (or salesforce): the demo with the HubSpot or Salesforce template
// instead of the Data Tables. n8n's own HubSpot or Salesforce node writes to a local stand-in of the
// CRM's API (scripts/vendors/: not HubSpot, not Salesforce) through the test proxy, and the demo
// prints the CRM's records as they appear, one notification after the other.
import { randomBytes } from 'node:crypto';

import { startAppDirectApi } from '../appdirect-api/server.mjs';
import { startN8n } from '../n8n/instance.mjs';
import { sendNotification } from '../send/run.mjs';
import { CRMS, startCrmStandIn } from '../vendors/crm-sync.mjs';
import { WEBHOOK_PATH } from './examples.mjs';
import { demoStory } from './notifications.mjs';

export const DEMO_CRMS = CRMS;

/** The CRM's records as lines: object, AppDirect id, what the sync wrote. */
function recordLines(crm) {
	const hubspot = crm.vendors.hubspot;
	if (hubspot) {
		const shown = { companies: ['name', 'appdirect_status'], contacts: ['email', 'firstname', 'lastname'], deals: ['dealname', 'dealstage', 'amount', 'appdirect_seats'] };
		return Object.entries(shown).flatMap(([type, fields]) =>
			hubspot.records(type).map((record) => `  ${type.padEnd(9)} ${record.id.padEnd(6)} ${fields.map((field) => `${field}=${record.properties[field] ?? ''}`).join(' ')} removed=${record.properties.appdirect_removed}`),
		);
	}
	const shown = { Account: ['Name', 'AppDirect_Status__c'], Contact: ['Email', 'FirstName', 'LastName', 'AccountId'], Opportunity: ['Name', 'StageName', 'Amount', 'AppDirect_Seats__c'] };
	return Object.entries(shown).flatMap(([object, fields]) =>
		crm.vendors.salesforce.records(object).map((record) => `  ${object.padEnd(11)} ${record.Id} ${fields.map((field) => `${field}=${record[field] ?? ''}`).join(' ')} removed=${record.AppDirect_Removed__c}`),
	);
}

/**
 * Starts the AppDirect API stand-in, the CRM's stand-in and n8n with the CRM template published,
 * sends the demo's notifications and prints the CRM's records after each. Returns `stop()`.
 * options: crm ('hubspot' | 'salesforce'), tarball, owner, port, keep, say(line)
 */
export async function runCrmDemo({ crm: name, tarball, owner, port, keep, say }) {
	if (!CRMS.includes(name)) throw new Error(`--crm must be one of ${CRMS.join(', ')}, got "${name}"`);
	const apiClient = { clientId: 'n8n-demo', clientSecret: randomBytes(16).toString('hex') };
	const api = await startAppDirectApi({ clients: [apiClient] });
	const crm = await startCrmStandIn(name);
	let n8n;
	const stop = async () => {
		await n8n?.stop();
		await crm.stop();
		await api.close();
	};
	try {
		say(`${crm.title} stand-in (not ${crm.title}, see scripts/vendors/README.md) behind a local proxy; AppDirect API stand-in: ${api.url}`);
		const base = `http://localhost:${port}`;
		n8n = await startN8n({
			packages: [tarball],
			workflows: [crm.templateFile],
			webhooks: [{ webhookId: crm.sync.webhookId, path: WEBHOOK_PATH, method: 'POST' }],
			owner,
			keepUserFolder: keep,
			env: { ...crm.env, N8N_PORT: port, N8N_HOST: 'localhost', N8N_EDITOR_BASE_URL: `${base}/`, N8N_WEBHOOK_URL: `${base}/` },
		});
		const token = randomBytes(16).toString('hex');
		await crm.connect(n8n, { token, api, apiClient });
		const url = `${base}/webhook/${crm.sync.webhookId}/${WEBHOOK_PATH}`;
		say(`n8n is running: ${base}  (email ${owner.email}, password ${owner.password})`);
		say(`Workflow: ${base}/workflow/${crm.sync.id} (published)   Webhook URL: ${url}   Token: ${token}`);
		say();
		let failures = 0;
		for (const { label, notification: sample } of demoStory(Date.now())) {
			const notification = api.localise(sample);
			if (notification.resourceAction === 'REMOVED') api.removeResource(notification.resource.url);
			else api.setResource(notification.resource.url, notification.resource.content);
			const { status } = await sendNotification(url, notification, { token }).catch((error) => ({ status: error.message }));
			if (status !== 200) failures++;
			say(`${String(status).padEnd(4)} ${label}`);
			for (const line of recordLines(crm)) say(line);
		}
		return { n8n, failures, stop, url, token, apiUrl: api.url };
	} catch (error) {
		await stop().catch(() => {});
		throw error;
	}
}
