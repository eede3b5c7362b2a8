// The "races" part of `npm run reliability` on each sync target: the Data Table example, and the
// HubSpot and Salesforce templates with n8n's own nodes reaching the vendors' stand-ins through the
// test proxy (scripts/vendors/). Each target gets its own n8n; the same scenario (runSameInstant)
// runs on all three and reads the target's records back.
import { randomBytes } from 'node:crypto';

import { startAppDirectApi } from '../appdirect-api/server.mjs';
import { CREDENTIAL as EXAMPLE_CREDENTIAL, CRM_SYNC, crmSyncWorkflow, TABLES, tableColumns, WEBHOOK_PATH } from '../demo/examples.mjs';
import { readRows } from '../demo/tables.mjs';
import { startN8n } from '../n8n/instance.mjs';
import { CRMS, startCrmStandIn } from '../vendors/crm-sync.mjs';
import { findSecret, runSameInstant } from './scenarios.mjs';

export const RACE_TARGETS = ['data-table', ...CRMS];

async function publish(n8n, { id, webhookId }) {
	await n8n.api('POST', `/workflows/${id}/publish`, {});
	await n8n.waitForPublished(id);
	await n8n.waitForWebhook({ webhookId, path: WEBHOOK_PATH });
}

/** The Data Table example (examples/appdirect-crm-sync.json without its lookups). */
async function onDataTable({ tarball, token, resources, onN8n }) {
	const n8n = await startN8n({ packages: [tarball], workflows: [crmSyncWorkflow({ lookup: false })], publish: false, env: { N8N_LOG_FORMAT: 'json' } });
	onN8n(n8n);
	try {
		await n8n.api('POST', '/credentials', { ...EXAMPLE_CREDENTIAL, data: { token } });
		await publish(n8n, CRM_SYNC);
		const table = await n8n.api('POST', '/data-tables', { name: TABLES.subscriptions.name, columns: tableColumns(TABLES.subscriptions) });
		for (const other of [TABLES.companies, TABLES.contacts]) await n8n.api('POST', '/data-tables', { name: other.name, columns: tableColumns(other) });
		const records = async () => (await readRows(n8n, table.id)).map((row) => ({ appdirectId: row.appdirectId, seats: row.seats }));
		const run = await runSameInstant({ n8n, url: n8n.productionWebhookUrl(CRM_SYNC.webhookId, WEBHOOK_PATH), token, records, resources });
		return { run, secret: await findSecret({ n8n, secret: token, workflowIds: [CRM_SYNC.id], answers: [] }) };
	} finally {
		await n8n.stop();
	}
}

/** A CRM template, unchanged, against the CRM's stand-in and the AppDirect API stand-in. */
async function onCrm({ crm: name, tarball, token, resources, onN8n }) {
	const apiClient = { clientId: 'n8n-races', clientSecret: randomBytes(12).toString('hex') };
	const api = await startAppDirectApi({ clients: [apiClient] });
	const crm = await startCrmStandIn(name);
	try {
		const n8n = await startN8n({ packages: [tarball], workflows: [crm.templateFile], publish: false, env: { N8N_LOG_FORMAT: 'json', ...crm.env } });
		onN8n(n8n);
		try {
			await crm.connect(n8n, { token, api, apiClient });
			await publish(n8n, crm.sync);
			const run = await runSameInstant({
				n8n,
				url: n8n.productionWebhookUrl(crm.sync.webhookId, WEBHOOK_PATH),
				token,
				records: async () => crm.subscriptions(),
				createsOf: crm.createsOf,
				localise: (notification) => api.localise(notification),
				// The templates read AppDirect's current state: it shows each subscription's newest notification.
				beforeRound: async (latest) => {
					for (const notification of latest) api.setResource(notification.resource.url, notification.resource.content);
				},
				resources,
			});
			return { run, secret: await findSecret({ n8n, secret: token, workflowIds: [crm.sync.id], answers: [] }) };
		} finally {
			await n8n.stop();
		}
	} finally {
		await crm.stop();
		await api.close();
	}
}

/**
 * Runs the same-moment scenario on one target ('data-table', 'hubspot' or 'salesforce') with
 * `resources` new subscriptions. `onN8n(n8n)` is told about each n8n started.
 */
export async function runRaces({ target, tarball, token, resources, onN8n = () => {} }) {
	if (!RACE_TARGETS.includes(target)) throw new Error(`unknown races target "${target}": ${RACE_TARGETS.join(', ')}`);
	return target === 'data-table' ? onDataTable({ tarball, token, resources, onN8n }) : onCrm({ crm: target, tarball, token, resources, onN8n });
}
