// The CRM sync on n8n Data Tables: the tables, their columns and the order-safe writes.
import { pinnedNotifications } from '../notifications.mjs';
import { CRM_EVENTS, TRIGGER_NAME, chain, currentStateNode, field, inputsOf, itemFor, key, pinNote, sticky, stillInAppDirectNode, tracking, triggerConnections, triggerNode } from './nodes.mjs';

/** The three Data Tables that play the CRM. Names must not contain one another (n8n looks tables up by name with LIKE). */
export const TABLES = {
	companies: {
		name: 'AppDirect companies',
		columns: [
			key,
			field('name'),
			field('status'),
			field('website'),
			field('phone', 'string', 'phoneNumber'),
			field('city'),
			field('country'),
			field('externalId'),
			...tracking,
		],
	},
	contacts: {
		name: 'AppDirect contacts',
		columns: [
			key,
			field('email'),
			field('firstName'),
			field('lastName'),
			field('status'),
			field('companyId'),
			field('companyName'),
			field('phone', 'string', 'phoneNumber'),
			field('locale'),
			...tracking,
		],
	},
	subscriptions: {
		name: 'AppDirect subscriptions',
		columns: [
			key,
			field('status'),
			field('companyId'),
			field('userId'),
			field('productId'),
			field('editionId'),
			field('seats', 'number', 'maxUsers'),
			field('frequency'),
			field('currency'),
			field('totalPrice', 'number'),
			field('nextBillingDate', 'date'),
			...tracking,
		],
	},
};

/** Columns in the shape of the public API's POST /data-tables body. */
export function tableColumns(table) {
	return table.columns.map(({ name, type }) => ({ name, type }));
}

// ---- the node's real output for a notification -------------------------------------------

const mapperType = (type) => (type === 'date' ? 'dateTime' : type);

const byId = { keyName: 'appdirectId', condition: 'eq', keyValue: '={{ $json.resourceId }}' };
// An update only where the row's last event is older than this notification's: a repeated or a
// late notification matches no row and changes nothing. One SQL UPDATE, so also safe when two
// executions update the same row at once.
const olderRow = { keyName: 'lastEventAt', condition: 'lt', keyValue: '={{ $json.occurredAt }}' };

/**
 * One Data Table step. `write`: 'insert', 'update' (only rows older than the notification) or
 * 'ifNew' (passes the item on only when no row has its id). `values`: 'save' (every column),
 * 'removal' (the tracking columns only) or 'insert' (every column, `removed` from the action).
 */
function dataTableNode({ id, name, table, write, values = 'save', position }) {
	const common = {
		resource: 'row',
		// By name, so the file works in any n8n that has a table of that name.
		dataTableId: { __rl: true, mode: 'name', value: table.name },
	};
	const base = { id, name, type: 'n8n-nodes-base.dataTable', typeVersion: 1.1, position };
	if (write === 'ifNew') {
		// This operation only compares for equality: its condition is not shown, nor stored.
		const key = { keyName: byId.keyName, keyValue: byId.keyValue };
		return { ...base, parameters: { ...common, operation: 'rowNotExists', matchType: 'allConditions', filters: { conditions: [key] } } };
	}
	const columns = values === 'removal' ? table.columns.filter((c) => c.removal !== undefined) : table.columns;
	const valueOf = (c) => {
		if (values === 'removal') return c.removal;
		// After a lookup, a resource removed since the notification reads as exists = false.
		if (values === 'insert' && c.name === 'removed') return "={{ $json.action === 'REMOVED' || $json.exists === false }}";
		return c.value;
	};
	return {
		...base,
		parameters: {
			...common,
			operation: write,
			...(write === 'update' ? { matchType: 'allConditions', filters: { conditions: [byId, olderRow] } } : {}),
			columns: {
				mappingMode: 'defineBelow',
				value: Object.fromEntries(columns.map((c) => [c.name, valueOf(c)])),
				matchingColumns: [],
				schema: columns.map((c) => ({
					id: c.name,
					displayName: c.name,
					required: false,
					defaultMatch: false,
					display: true,
					type: mapperType(c.type),
					readOnly: false,
					removed: false,
				})),
				attemptToConvertTypes: false,
				convertFieldsToString: false,
			},
			options: {},
		},
	};
}

export const CRM_SYNC = {
	file: 'appdirect-crm-sync.json',
	id: 'appdirectCrmSync',
	webhookId: '8e4f2c1a-7b3d-4e9f-a5c6-1d2b3e4f5a60',
	events: CRM_EVENTS,
};

/**
 * The CRM sync. `lookup` (the file's form): added and changed notifications go through
 * "Get current …" (the AppDirect node) first, so rows hold what AppDirect's API returns now.
 * `lookup: false` writes the notification's own content and needs no API credential (the
 * reliability suite and `npm run cluster` use it: same ids, same order-safety rule).
 */
export function crmSyncWorkflow({ lookup = true } = {}) {
	const pins = pinnedNotifications();
	// Per resource: "Is … new?" → "Add …" creates the row the first time; "Update … if newer" and
	// "Mark … removed if newer" change it only with a notification newer than its last event.
	const x = lookup ? 460 : 0;
	const steps = [
		['company', TABLES.companies, 'Company', 160],
		['contact', TABLES.contacts, 'Contact', 640],
		['subscription', TABLES.subscriptions, 'Subscription', 1120],
	].map(([label, table, title, y], index) => {
		const id = (n) => {
			const k = String(index * 4 + n).padStart(2, '0');
			return `1a2b3c4d-00${k}-4e5f-8a9b-0c1d2e3f4a${k}`;
		};
		const names = {
			current: `Get current ${label}`,
			stillThere: `${title} still in AppDirect?`,
			isNew: `Is ${label} new?`,
			add: `Add ${label} to CRM`,
			update: `Update ${label} if newer`,
			markRemoved: `Mark ${label} removed if newer`,
		};
		return {
			title,
			names,
			nodes: [
				...(lookup
					? [
							currentStateNode({ id: `1a2b3c4d-01${index}0-4e5f-8a9b-0c1d2e3f4b${index}0`, name: names.current, position: [440, y + 80] }),
							stillInAppDirectNode({ id: `1a2b3c4d-02${index}0-4e5f-8a9b-0c1d2e3f4c${index}0`, name: names.stillThere, position: [700, y + 80] }),
						]
					: []),
				dataTableNode({ id: id(1), name: names.isNew, table, write: 'ifNew', position: [560 + x, y] }),
				dataTableNode({ id: id(2), name: names.add, table, write: 'insert', values: 'insert', position: [800 + x, y] }),
				dataTableNode({ id: id(3), name: names.update, table, write: 'update', position: [560 + x, y + 160] }),
				dataTableNode({ id: id(4), name: names.markRemoved, table, write: 'update', values: 'removal', position: [560 + x, y + 320] }),
			],
		};
	});
	const [companies, contacts, subscriptions] = steps;
	const saved = (step) => (lookup ? step.names.current : [step.names.isNew, step.names.update]);
	// Removals carry no content and need no lookup (the resource answers 404 by now).
	const removed = (step) => [step.names.isNew, step.names.markRemoved];
	const nodes = [
		triggerNode({ id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', webhookId: CRM_SYNC.webhookId, events: CRM_EVENTS, position: [160, 640] }),
		...steps.flatMap((step) => step.nodes),
		sticky({
			id: '2b3c4d5e-0001-4f6a-9b0c-1d2e3f4a5b61',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: lookup ? 880 : 560,
			content: [
				'## AppDirect → CRM sync',
				'Keeps a CRM up to date with your AppDirect marketplace: companies, contacts (users) and subscriptions. Three **Data Tables** play the CRM here; swap each Data Table step for your CRM\'s node (HubSpot, Salesforce, Pipedrive…) with the same fields.',
				'',
				...(lookup
					? [
							'- **Get current …** (the AppDirect node, *Get Current State*): for *Added* and *Changed*, reads what the resource looks like **now** through AppDirect\'s API, so a late notification never writes old data.',
							'- **… still in AppDirect?**: a resource removed since the notification (AppDirect answers 404, `exists = false`) goes to *Mark … removed*, which keeps the row\'s last known values.',
						]
					: []),
				'- **Is … new? → Add …**: the first notification about a resource creates its row, keyed on AppDirect\'s id (`appdirectId`).',
				'- **Update … if newer**: *Added* and *Changed* rewrite the row only if the notification is newer than the row\'s `lastEventAt`.',
				'- **Mark … removed if newer**: *Removed* marks the row `removed`, keeping the last known values, under the same rule.',
				'',
				'AppDirect may deliver a notification twice, or late after retries: a repeated or older one changes nothing.',
				...(lookup
					? [
							'',
							'`lastEventAt` stays the notification\'s `occurredAt`, not the lookup\'s `fetchedAt`: every comparison then uses one clock (AppDirect\'s, also for removals), and data read for a notification is never older than it.',
						]
					: []),
				'',
				`**Setup:** create the Data Tables *AppDirect companies*, *AppDirect contacts* and *AppDirect subscriptions* (columns in \`examples/README.md\`; \`npm run demo\` creates them), give the trigger your token credential${lookup ? ' and the *Get current …* steps an *AppDirect API* credential (an API client a Marketplace Manager creates in AppDirect)' : ''}, publish, and enter the Production URL in AppDirect for the Company, User and Subscription webhooks.`,
			].join('\n'),
		}),
		pinNote('2b3c4d5e-0002-4f6a-9b0c-1d2e3f4a5b62', [-360, lookup ? 1040 : 720], 'Company Added', lookup ? companies.names.current : companies.names.isNew, CRM_EVENTS.length),
	];
	const connections = triggerConnections([
		saved(companies),
		saved(companies),
		removed(companies),
		saved(contacts),
		saved(contacts),
		removed(contacts),
		saved(subscriptions),
		saved(subscriptions),
		removed(subscriptions),
	]);
	for (const step of steps) {
		Object.assign(connections, chain(step.names.isNew, step.names.add));
		if (lookup) {
			Object.assign(connections, chain(step.names.current, step.names.stillThere));
			// A resource removed since the notification only marks its row: the last known values stay.
			connections[step.names.stillThere] = {
				main: [inputsOf([step.names.isNew, step.names.update]), inputsOf([step.names.isNew, step.names.markRemoved])],
			};
		}
	}
	return {
		id: CRM_SYNC.id,
		name: 'AppDirect → CRM sync (Data Tables)',
		nodes,
		connections,
		pinData: { [TRIGGER_NAME]: CRM_EVENTS.map((event) => ({ json: itemFor(pins[event]) })) },
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

// ---- example 2: subscriptions to a CRM over HTTP ------------------------------------------
