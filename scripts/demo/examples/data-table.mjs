// The CRM sync on n8n Data Tables: the tables, their columns, and one order-safe upsert that the
// live sync, the import and the nightly reconciliation all call (examples/README.md says why it
// never makes two rows for one resource).
import { pinnedNotifications } from '../notifications.mjs';
import { CRM_EVENTS, appDirectNode, TRIGGER_NAME, currentStateNode, inputsOf, itemFor, pinNote, setNode, sticky, triggerConnections, triggerNode } from './nodes.mjs';

// ---- the tables ---------------------------------------------------------------------------

/**
 * A column and how its value is read from the item being written (`it`: an expression for the
 * item): the same flat fields for a notification, a Get Current State item and a Get Many item.
 */
const column = (name, type, read = (it) => `${it}.${name}`) => ({ name, type, read });

/** The AppDirect id of the resource, the key of every table. */
const KEY = column('appdirectId', 'string', (it) => `${it}.resourceId`);

/**
 * When the row's content is from: a notification's `occurredAt`; for a listed resource
 * (Get Many, no notification) the moment its listing started (`fetchedAt`), since the list shows
 * the resource as it was at that moment or later.
 */
const asOf = (it) => `(${it}.occurredAt ?? ${it}.fetchedAt)`;

/** The tracking columns: written on every change, and the only ones a removal writes. */
const TRACKING = [
	column('removed', 'boolean'),
	// A listed resource has no notification: "company.listed", or "company.unlisted" for one the
	// reconciliation found missing.
	column('lastEvent', 'string', (it) => `(${it}.event ?? ${it}.resourceType.toLowerCase() + (${it}.exists === false ? '.unlisted' : '.listed'))`),
	column('lastEventAt', 'date', asOf),
	column('lastNotificationId', 'string', (it) => `(${it}.notificationId ?? null)`),
];

/**
 * The three Data Tables that play the CRM. Names must not contain one another (n8n looks tables
 * up by name with LIKE). Only fields that a notification, Get Current State and Get Many all
 * carry: AppDirect's lists have no user status (only `activated`), no user phone or company
 * membership, and no company status (only `enabled`).
 */
export const TABLES = {
	companies: {
		name: 'AppDirect companies',
		resourceType: 'COMPANY',
		columns: [
			KEY,
			column('name', 'string'),
			column('enabled', 'boolean'),
			column('website', 'string'),
			column('phone', 'string', (it) => `${it}.phoneNumber`),
			column('city', 'string'),
			column('country', 'string'),
			column('externalId', 'string'),
			...TRACKING,
		],
	},
	contacts: {
		name: 'AppDirect contacts',
		resourceType: 'USER',
		columns: [
			KEY,
			column('email', 'string'),
			column('firstName', 'string'),
			column('lastName', 'string'),
			// A list says `activated` where a single read says ACTIVE or INACTIVE.
			column(
				'status',
				'string',
				(it) => `(${it}.status ?? (typeof ${it}.content?.activated === 'boolean' ? (${it}.content.activated ? 'ACTIVE' : 'INACTIVE') : null))`,
			),
			column('locale', 'string'),
			...TRACKING,
		],
	},
	subscriptions: {
		name: 'AppDirect subscriptions',
		resourceType: 'SUBSCRIPTION',
		columns: [
			KEY,
			column('status', 'string'),
			column('companyId', 'string'),
			column('userId', 'string'),
			column('productId', 'string'),
			column('editionId', 'string'),
			column('seats', 'number', (it) => `${it}.maxUsers`),
			column('frequency', 'string'),
			column('currency', 'string'),
			column('totalPrice', 'number'),
			column('nextBillingDate', 'date'),
			...TRACKING,
		],
	},
};

/** Columns in the shape of the public API's POST /data-tables body. */
export function tableColumns(table) {
	return table.columns.map(({ name, type }) => ({ name, type }));
}

// ---- the upsert ---------------------------------------------------------------------------

export const CRM_UPSERT = {
	file: 'appdirect-crm-upsert.json',
	id: 'appdirectCrmUpsert',
	name: 'AppDirect → CRM upsert (Data Tables)',
};

/** The upsert's first step: the sub-workflow's trigger (or, inline, a No-Op). */
export const UPSERT_INPUT = 'Resource to write';

const mapperType = (type) => (type === 'date' ? 'dateTime' : type);

/**
 * A Data Table step on a table chosen by name, so the file works in any n8n that has a table of
 * that name. `columns`: the columns to write with `values(column)`; none: every field of the item
 * by its name (the item is a row made by a "… row" step).
 */
function dataTableNode({ id, name, table, operation, conditions, columns, values, position, extra = {} }) {
	const mapper = {
		mappingMode: columns ? 'defineBelow' : 'autoMapInputData',
		value: columns ? Object.fromEntries(columns.map((c) => [c.name, values(c)])) : {},
		matchingColumns: [],
		schema: (columns ?? table.columns).map((c) => ({
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
	};
	return {
		id,
		name,
		type: 'n8n-nodes-base.dataTable',
		// Version 1: the only one n8n 1.x has (1.1 only changes how Get returns dates, which these
		// workflows compare as ISO text or not at all).
		typeVersion: 1,
		position,
		parameters: {
			resource: 'row',
			dataTableId: { __rl: true, mode: 'name', value: table.name },
			operation,
			...(conditions ? { matchType: 'allConditions', filters: { conditions } } : {}),
			...(['get', 'rowNotExists'].includes(operation) ? {} : { columns: mapper }),
			...extra,
			options: {},
		},
	};
}

const byId = { keyName: 'appdirectId', condition: 'eq', keyValue: '={{ $json.appdirectId }}' };
// The row has no content yet: only the claim wrote it (isEmpty on a date column is IS NULL).
const unfilled = { keyName: 'lastEventAt', condition: 'isEmpty' };
// The row's content is older than this item's: a repeated or a late notification matches no row.
const older = { keyName: 'lastEventAt', condition: 'lt', keyValue: '={{ $json.lastEventAt }}' };

/** Stable ids for the upsert's steps: `n` is 1…99. */
const upsertId = (n) => `7c0d1e2f-00${String(n).padStart(2, '0')}-4a3b-9c8d-5e6f7a8b9c${String(n).padStart(2, '0')}`;

/** "… row": the item as the table's columns (a removal: the key and the tracking columns only). */
function rowNode({ id, name, columns, removal, position }) {
	const assignments = columns.map((c) => ({
		id: `${id}-${c.name}`,
		name: c.name,
		value: c.name === 'removed' ? removal : `={{ ${c.read('$json')} }}`,
		type: c.type === 'date' ? 'string' : c.type,
	}));
	return setNode({ id, name, position, assignments });
}

/**
 * The upsert's steps for the three tables, from `UPSERT_INPUT` on. "Which table?" sends each item
 * to its table, a save or a removal; "… row" turns it into the table's columns; then, for every
 * item and in this order (n8n's v1 order runs the branches of one output top to bottom):
 *  1. Claim:      only when no row has the id yet ("New … row?"), Upsert where appdirectId = id,
 *                 writing appdirectId only: creates the bare row, never a second one (n8n runs it as
 *                 UPDATE, then INSERT if nothing was updated, in one transaction; on SQLite
 *                 transactions run one at a time). A row that exists is not touched, not even its
 *                 updatedAt, so a repeated notification changes nothing.
 *  2. Fill:       Update where appdirectId = id and lastEventAt is empty: the first content.
 *  3. If newer:   Update where appdirectId = id and lastEventAt < this item's time.
 * Whatever the interleaving with other executions, the row ends with the newest content.
 */
export function upsertNodes({ x = 0, y = 0 } = {}) {
	const route = 'Which table?';
	const stop = 'Not a company, user or subscription';
	const nodes = [];
	const connections = {};
	const targets = [];
	let n = 1;
	Object.values(TABLES).forEach((table, t) => {
		const label = table.name.replace('AppDirect ', '');
		[false, true].forEach((removal, k) => {
			const top = y + (t * 2 + k) * 420;
			const names = {
				row: removal ? `${label} removal row` : `${label} row`,
				isNew: `New ${label} row?${removal ? ' (removal)' : ''}`,
				claim: `Claim ${label} row${removal ? ' (removal)' : ''}`,
				fill: removal ? `Mark new ${label} row removed` : `Fill new ${label} row`,
				newer: removal ? `Mark ${label} row removed if newer` : `Update ${label} row if newer`,
			};
			// A removal keeps the row's last known values: only the tracking columns change.
			const columns = removal ? table.columns.filter((c) => c === KEY || TRACKING.includes(c)) : table.columns;
			nodes.push(
				rowNode({ id: upsertId(n++), name: names.row, columns, removal, position: [x + 480, top + 140] }),
				// This operation only compares for equality: its condition is not shown, nor stored.
				dataTableNode({ id: upsertId(n++), name: names.isNew, table, operation: 'rowNotExists', conditions: [{ keyName: byId.keyName, keyValue: byId.keyValue }], position: [x + 740, top] }),
				dataTableNode({ id: upsertId(n++), name: names.claim, table, operation: 'upsert', conditions: [byId], columns: [KEY], values: () => '={{ $json.appdirectId }}', position: [x + 1000, top] }),
				dataTableNode({ id: upsertId(n++), name: names.fill, table, operation: 'update', conditions: [byId, unfilled], position: [x + 740, top + 140] }),
				dataTableNode({ id: upsertId(n++), name: names.newer, table, operation: 'update', conditions: [byId, older], position: [x + 740, top + 280] }),
			);
			connections[names.row] = { main: [inputsOf([names.isNew, names.fill, names.newer])] };
			connections[names.isNew] = { main: [inputsOf(names.claim)] };
			targets.push(names.row);
		});
	});
	nodes.push(
		{
			id: upsertId(n++),
			name: route,
			type: 'n8n-nodes-base.switch',
			typeVersion: 3.2,
			position: [x + 220, y + 1100],
			parameters: {
				mode: 'expression',
				numberOutputs: targets.length + 1,
				// One expression per item: outputs 0-5 are companies, company removals, contacts, contact
				// removals, subscriptions, subscription removals (as drawn); 6 is anything else.
				output: `={{ (table => table < 0 ? ${targets.length} : table * 2 + ($json.action === 'REMOVED' || $json.exists === false ? 1 : 0))(${JSON.stringify(Object.values(TABLES).map((table) => table.resourceType))}.indexOf($json.resourceType)) }}`,
			},
		},
		{
			id: upsertId(n++),
			name: stop,
			type: 'n8n-nodes-base.stopAndError',
			typeVersion: 1,
			position: [x + 480, y + 2560],
			parameters: { errorMessage: `={{ 'The CRM keeps companies, users and subscriptions; this item is a ' + ($json.resourceType ?? 'resource of no type') + ' (' + ($json.resourceId ?? 'no id') + ')' }}` },
		},
	);
	connections[UPSERT_INPUT] = { main: [inputsOf(route)] };
	connections[route] = { main: [...targets.map((target) => inputsOf(target)), inputsOf(stop)] };
	return { nodes, connections };
}

/**
 * The upsert as a sub-workflow ("When executed by another workflow", accepting any item): the
 * live sync, the import and the reconciliation call it with Execute Workflow.
 */
export function crmUpsertWorkflow() {
	const { nodes, connections } = upsertNodes();
	return {
		id: CRM_UPSERT.id,
		name: CRM_UPSERT.name,
		nodes: [
			{
				id: upsertId(90),
				name: UPSERT_INPUT,
				type: 'n8n-nodes-base.executeWorkflowTrigger',
				typeVersion: 1.1,
				position: [0, 900],
				parameters: { inputSource: 'passthrough' },
			},
			...nodes,
			sticky({
				id: upsertId(91),
				name: 'About this workflow',
				position: [-520, 560],
				width: 460,
				height: 720,
				content: [
					'## AppDirect → CRM upsert',
					'Writes companies, users and subscriptions into the three Data Tables, **one row per AppDirect id**, the newest content winning. The live sync, *Import existing customers* and *Reconcile nightly* call it (Execute Workflow), so the mapping from AppDirect\'s fields to columns lives here only.',
					'',
					'Items: the AppDirect Trigger\'s, the AppDirect node\'s (*Get Current State*, *Get Many*). A removal (or a resource AppDirect no longer has) only marks the row `removed`, keeping its last known values.',
					'',
					'Per item, in this order:',
					'1. **New … row? → Claim …**: for an id without a row, Upsert keyed on `appdirectId`, writing nothing else: creates the row once.',
					'2. **Fill new … row**: only while the row has no `lastEventAt`.',
					'3. **Update … if newer**: only where `lastEventAt` is older than the item\'s time.',
					'',
					'The item\'s time is the notification\'s `occurredAt`; a listed resource (no notification) counts from when its listing started (`fetchedAt`).',
					'',
					'**One row per resource** holds when n8n keeps its data in **SQLite** (the default): n8n runs the claim as one transaction, one at a time. On **PostgreSQL** two claims at the same moment can both insert: see examples/README.md.',
				].join('\n'),
			}),
		],
		connections,
		settings: { executionOrder: 'v1', callerPolicy: 'workflowsFromSameOwner' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

/** "Write to CRM": Execute Workflow on the upsert, with every item as it is, waiting for it to finish. */
export function writeToCrmNode({ id, name = 'Write to CRM', position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.executeWorkflow',
		typeVersion: 1.2,
		position,
		parameters: {
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: CRM_UPSERT.id, cachedResultName: CRM_UPSERT.name },
			mode: 'once',
			options: { waitForSubWorkflow: true },
		},
	};
}

// ---- the live sync ------------------------------------------------------------------------

export const CRM_SYNC = {
	file: 'appdirect-crm-sync.json',
	id: 'appdirectCrmSync',
	webhookId: '8e4f2c1a-7b3d-4e9f-a5c6-1d2b3e4f5a60',
	events: CRM_EVENTS,
};

/**
 * The CRM sync. `lookup` (the file's form): added and changed notifications go through
 * "Get current …" (the AppDirect node) first, so rows hold what AppDirect's API returns now.
 * `lookup: false` writes the notification's own content and needs no API credential.
 * `upsert`: 'workflow' (the file's form) calls the upsert sub-workflow (crmUpsertWorkflow, which
 * must be imported too); 'inline' puts the same steps in this workflow, so that it runs alone
 * (the reliability suite and `npm run cluster` use `lookup: false` and get 'inline' by default).
 */
export function crmSyncWorkflow({ lookup = true, upsert = lookup ? 'workflow' : 'inline' } = {}) {
	const pins = pinnedNotifications();
	const write = 'Write to CRM';
	const x = lookup ? 300 : 0;
	const current = (label) => `Get current ${label}`;
	const labels = ['company', 'contact', 'subscription'];
	const lookups = lookup
		? labels.map((label, index) =>
				currentStateNode({ id: `1a2b3c4d-01${index}0-4e5f-8a9b-0c1d2e3f4b${index}0`, name: current(label), position: [440, 320 + index * 480] }),
			)
		: [];
	let writeNodes;
	let writeConnections = {};
	if (upsert === 'workflow') {
		writeNodes = [writeToCrmNode({ id: '1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a01', position: [460 + x, 800] })];
	} else {
		const inline = upsertNodes({ x: 460 + x, y: 0 });
		writeNodes = [{ id: '1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a01', name: UPSERT_INPUT, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [460 + x, 900], parameters: {} }, ...inline.nodes];
		writeConnections = inline.connections;
	}
	const entry = upsert === 'workflow' ? write : UPSERT_INPUT;
	const nodes = [
		triggerNode({ id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', webhookId: CRM_SYNC.webhookId, events: CRM_EVENTS, position: [160, 800] }),
		...lookups,
		...writeNodes,
		sticky({
			id: '2b3c4d5e-0001-4f6a-9b0c-1d2e3f4a5b61',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: lookup ? 760 : 560,
			content: [
				'## AppDirect → CRM sync',
				'Keeps a CRM up to date with your AppDirect marketplace: companies, contacts (users) and subscriptions. Three **Data Tables** play the CRM here.',
				'',
				...(lookup
					? [
							'- **Get current …** (the AppDirect node, *Get Current State*): for *Added* and *Changed*, reads what the resource looks like **now** through AppDirect\'s API, so a late notification never writes old data. A resource removed since (AppDirect answers 404) only marks its row removed.',
						]
					: []),
				upsert === 'workflow'
					? `- **${write}** runs the workflow *${CRM_UPSERT.name}* (import it too): one row per AppDirect id, changed only by newer content; a removal marks the row \`removed\`, keeping its last known values.`
					: `- **${UPSERT_INPUT} → …**: the steps of *${CRM_UPSERT.name}*, in this workflow: one row per AppDirect id, changed only by newer content; a removal marks the row \`removed\`.`,
				'',
				'AppDirect may deliver a notification twice, or late after retries: a repeated or older one changes nothing. A notification that never arrives is caught by *Reconcile nightly*.',
				...(lookup
					? [
							'',
							'`lastEventAt` stays the notification\'s `occurredAt`, not the lookup\'s `fetchedAt`: every comparison then uses one clock (AppDirect\'s, also for removals), and data read for a notification is never older than it.',
						]
					: []),
				'',
				`**Setup:** create the Data Tables *AppDirect companies*, *AppDirect contacts* and *AppDirect subscriptions* (columns in \`examples/README.md\`; \`npm run demo\` creates them), ${upsert === 'workflow' ? `import *${CRM_UPSERT.file}* too, ` : ''}give the trigger your token credential${lookup ? ' and the *Get current …* steps an *AppDirect API* credential (an API client a Marketplace Manager creates in AppDirect)' : ''}, publish, and enter the Production URL in AppDirect for the Company, User and Subscription webhooks.`,
			].join('\n'),
		}),
		pinNote('2b3c4d5e-0002-4f6a-9b0c-1d2e3f4a5b62', [-360, lookup ? 920 : 720], 'Company Added', lookup ? current('company') : entry, CRM_EVENTS.length),
	];
	// Added and changed go through the lookup; removals carry no content and need none (the resource answers 404 by now).
	const saved = (index) => (lookup ? current(labels[index]) : entry);
	const connections = {
		...triggerConnections([saved(0), saved(0), entry, saved(1), saved(1), entry, saved(2), saved(2), entry]),
		...writeConnections,
	};
	if (lookup) for (const label of labels) connections[current(label)] = { main: [inputsOf(entry)] };
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

// ---- import and nightly reconciliation ----------------------------------------------------

export const CRM_IMPORT = { file: 'appdirect-crm-import.json', id: 'appdirectCrmImport', name: 'AppDirect → CRM: import existing customers (Data Tables)' };
export const CRM_RECONCILE = { file: 'appdirect-crm-reconcile.json', id: 'appdirectCrmReconcile', name: 'AppDirect → CRM: reconcile nightly (Data Tables)' };

/** What the import and the reconciliation list: every company, user and subscription of the marketplace. */
const LISTINGS = [
	['companies', 'COMPANY', TABLES.companies],
	['users', 'USER', TABLES.contacts],
	['subscriptions', 'SUBSCRIPTION', TABLES.subscriptions],
];

/** "List …": Get Many, every page (subscriptions of every company: the marketplace's list), with `filters`. */
function listNode({ id, name, resourceType, filters, position }) {
	const parameters = {
		operation: 'getAll',
		resourceType,
		...(resourceType === 'SUBSCRIPTION' ? { companies: 'all' } : {}),
		returnAll: true,
		...(filters ? { filters } : {}),
	};
	return appDirectNode({ id, name, position, parameters });
}

const listName = (plural) => `List all ${plural}`;

/**
 * From the step `from`, one branch per list: "List …" (Get Many, Return All) → "Write … to CRM".
 * n8n's v1 order runs the branches one after the other, top to bottom. `since`: an expression for
 * *Modified Since* on the lists that have it (users, subscriptions); companies are always listed whole.
 */
function listingBranches({ from, idOf, since }) {
	const nodes = [];
	const connections = { [from]: { main: [[]] } };
	const lists = {};
	LISTINGS.forEach(([plural, resourceType], index) => {
		const filtered = since && resourceType !== 'COMPANY';
		const list = filtered ? `List ${plural} changed since` : listName(plural);
		const write = `Write ${plural} to CRM`;
		nodes.push(
			listNode({ id: idOf(10 + index), name: list, resourceType, filters: filtered ? { modifiedSince: since } : undefined, position: [460, index * 200] }),
			writeToCrmNode({ id: idOf(20 + index), name: write, position: [720, index * 200] }),
		);
		connections[from].main[0].push(...inputsOf(list));
		connections[list] = { main: [inputsOf(write)] };
		lists[resourceType] = list;
	});
	return { nodes, connections, lists };
}

/** Where the reconciliation remembers its successful runs: one row each, when its listing started. */
export const RECONCILE_RUNS_TABLE = { name: 'AppDirect sync runs', columns: [column('listingStartedAt', 'date')] };


const BEGAN = 'Listing starts';
const REMEMBER = 'Remember this run';
const startedAt = `={{ $('${BEGAN}').first().json.listingStartedAt }}`;

/** "Listing starts": now (n8n's clock) and, with `since`, the Modified Since of this run's lists. */
function listingStartsNode({ id, position, since = false }) {
	const assignments = [{ id: `${id}-at`, name: 'listingStartedAt', value: '={{ $now.toUTC().toISO() }}', type: 'string' }];
	if (since) {
		assignments.push({
			id: `${id}-since`,
			name: 'modifiedSince',
			// A date or its ISO text (Get returns either, by n8n version); an hour earlier, for the clocks.
			value: "={{ $json.listingStartedAt ? new Date(new Date($json.listingStartedAt).getTime() - 3600000).toISOString() : '1970-01-01T00:00:00.000Z' }}",
			type: 'string',
		});
	}
	return setNode({ id, name: BEGAN, position, assignments });
}

/** "Remember this run": lowest on the canvas, so run last, and only reached when every step before went through. */
function rememberNode({ id, position }) {
	return dataTableNode({ id, name: REMEMBER, table: RECONCILE_RUNS_TABLE, operation: 'insert', columns: RECONCILE_RUNS_TABLE.columns, values: () => startedAt, position });
}

const importId = (n) => `3c4d5e6f-00${String(n).padStart(2, '0')}-4a7b-8c9d-0e1f2a3b4c${String(n).padStart(2, '0')}`;
const reconcileId = (n) => `4d5e6f70-00${String(n).padStart(2, '0')}-4b8c-9d0e-1f2a3b4c5d${String(n).padStart(2, '0')}`;

/**
 * Import existing customers: Manual Trigger → Get Many (companies, users, subscriptions, every
 * page) → the upsert; then "Remember this run" notes when the listing started. Run it with
 * Execute workflow (POST /rest/workflows/{id}/run with triggerToStartFrom "Start the import" does the same).
 */
export function crmImportWorkflow() {
	const start = 'Start the import';
	const branches = listingBranches({ from: BEGAN, idOf: importId });
	branches.connections[start] = { main: [inputsOf(BEGAN)] };
	branches.connections[BEGAN].main[0].push(...inputsOf(REMEMBER));
	return {
		id: CRM_IMPORT.id,
		name: CRM_IMPORT.name,
		nodes: [
			{ id: importId(1), name: start, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-60, 200], parameters: {} },
			listingStartsNode({ id: importId(3), position: [200, 200] }),
			...branches.nodes,
			rememberNode({ id: importId(5), position: [460, 700] }),
			sticky({
				id: importId(2),
				name: 'About this workflow',
				position: [-580, 0],
				width: 460,
				height: 520,
				content: [
					'## Import existing customers',
					`Run it once, before or after publishing the live sync: it lists every company, user and subscription of your marketplace (the AppDirect node, *Get Many*, every page) and writes them into the three Data Tables through *${CRM_UPSERT.name}*, the same steps the live sync uses.`,
					'',
					'Safe to run again, and at the same time as the live sync: one row per AppDirect id, and a row a notification wrote after the listing started keeps the newer content.',
					'',
					`**${REMEMBER}** notes when the listing started in the Data Table *${RECONCILE_RUNS_TABLE.name}*: *Reconcile nightly* then lists only what changed since.`,
					'',
					`**Setup:** import *${CRM_UPSERT.file}* first, create the Data Tables (\`examples/README.md\`), give the *List all …* steps your *AppDirect API* credential, then **Execute workflow**.`,
				].join('\n'),
			}),
		],
		connections: branches.connections,
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

/**
 * Reconcile nightly (Schedule Trigger, 03:00).
 *  - "Last successful run" reads when the last successful run's listing started (a Data Table);
 *    none yet: everything counts as changed.
 *  - Companies are listed whole (AppDirect's company list has no modified-since filter), users and
 *    subscriptions modified since an hour before that moment (room for the two clocks), and all of
 *    them go through the upsert.
 *  - Removals: AppDirect lists no removed resources, so finding them needs every id. Per table,
 *    the rows not marked removed are matched by id with a full listing (1 request per 100 users
 *    or companies, per 250 subscriptions; reading each row's resource would be 1 request per row);
 *    rows with no match are marked removed through the upsert, at the listing's start: a row a
 *    notification wrote after that (a resource added since) is newer and keeps its content.
 *  - "Remember this run", last: any failed step stops the run before it, so the next run starts
 *    from the last run that went through.
 */
export function crmReconcileWorkflow() {
	const start = 'Every night';
	const last = 'Last successful run';
	const began = BEGAN;
	const since = `={{ $('${began}').first().json.modifiedSince }}`;
	const branches = listingBranches({ from: began, idOf: reconcileId, since });
	const nodes = [
		{
			id: reconcileId(1),
			name: start,
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [-320, 300],
			parameters: { rule: { interval: [{ field: 'days', triggerAtHour: 3 }] } },
		},
		{
			...dataTableNode({
				id: reconcileId(4),
				name: last,
				table: RECONCILE_RUNS_TABLE,
				operation: 'get',
				position: [-60, 300],
				extra: { returnAll: false, limit: 1, orderBy: true, orderByColumn: 'createdAt', orderByDirection: 'DESC' },
			}),
			// No run yet: one empty item, so the run goes on.
			alwaysOutputData: true,
		},
		listingStartsNode({ id: reconcileId(3), position: [200, 300], since: true }),
		...branches.nodes,
	];
	const connections = { [start]: { main: [inputsOf(last)] }, [last]: { main: [inputsOf(began)] }, ...branches.connections };
	// Below the listings, so run after them: per table, the rows whose resource was not listed.
	LISTINGS.forEach(([plural, resourceType, table], index) => {
		const label = table.name.replace('AppDirect ', '');
		const rows = `${label[0].toUpperCase()}${label.slice(1)} in CRM`;
		const every = resourceType === 'COMPANY' ? branches.lists.COMPANY : listName(plural);
		const unmatched = `${label[0].toUpperCase()}${label.slice(1)} not in AppDirect`;
		const asGone = `As gone: ${label}`;
		const mark = `Mark ${label} removed`;
		const y = 700 + index * 320;
		if (resourceType !== 'COMPANY') {
			nodes.push(listNode({ id: reconcileId(60 + index), name: every, resourceType, position: [460, y + 160] }));
			connections[began].main[0].push(...inputsOf(every));
		}
		nodes.push(
			dataTableNode({
				id: reconcileId(30 + index),
				name: rows,
				table,
				operation: 'get',
				conditions: [{ keyName: 'removed', condition: 'eq', keyValue: false }],
				position: [460, y],
				extra: { returnAll: true },
			}),
			{
				id: reconcileId(70 + index),
				name: unmatched,
				type: 'n8n-nodes-base.merge',
				typeVersion: 3,
				position: [720, y],
				parameters: {
					mode: 'combine',
					combineBy: 'combineByFields',
					advanced: true,
					mergeByFields: { values: [{ field1: 'appdirectId', field2: 'resourceId' }] },
					joinMode: 'keepNonMatches',
					outputDataFrom: 'input1',
					options: {},
				},
			},
			setNode({
				id: reconcileId(40 + index),
				name: asGone,
				position: [980, y],
				assignments: [
					{ id: `${reconcileId(40 + index)}-t`, name: 'resourceType', value: resourceType, type: 'string' },
					{ id: `${reconcileId(40 + index)}-i`, name: 'resourceId', value: '={{ $json.appdirectId }}', type: 'string' },
					{ id: `${reconcileId(40 + index)}-e`, name: 'exists', value: false, type: 'boolean' },
					{ id: `${reconcileId(40 + index)}-f`, name: 'fetchedAt', value: startedAt, type: 'string' },
				],
			}),
			writeToCrmNode({ id: reconcileId(50 + index), name: mark, position: [1240, y] }),
		);
		connections[began].main[0].push(...inputsOf(rows));
		connections[rows] = { main: [[{ node: unmatched, type: 'main', index: 0 }]] };
		connections[every] ??= { main: [[]] };
		connections[every].main[0].push({ node: unmatched, type: 'main', index: 1 });
		connections[unmatched] = { main: [inputsOf(asGone)] };
		connections[asGone] = { main: [inputsOf(mark)] };
	});
	const remember = REMEMBER;
	nodes.push(rememberNode({ id: reconcileId(5), position: [460, 1780] }));
	connections[began].main[0].push(...inputsOf(remember));
	nodes.push(
		sticky({
			id: reconcileId(2),
			name: 'About this workflow',
			position: [-860, 0],
			width: 500,
			height: 820,
			content: [
				'## Reconcile nightly',
				'Every night at 03:00, brings the Data Tables back to what AppDirect holds, whatever notifications were lost (n8n down for days, a webhook deleted by mistake):',
				'',
				`1. **${last}** (Data Table *${RECONCILE_RUNS_TABLE.name}*): when the last run that went through started.`,
				`2. **List …** (the AppDirect node, *Get Many*, every page): users and subscriptions changed since then (an hour earlier, for the clocks), every company (AppDirect cannot filter companies) → **Write … to CRM** through *${CRM_UPSERT.name}*.`,
				'3. **… in CRM / … not in AppDirect**: every row not marked removed, matched by id with a full listing; a row with no match is of a resource AppDirect no longer has → **Mark … removed** (the row stays, with its last known values).',
				`4. **${remember}**: only reached when every step before went through.`,
				'',
				'Why full listings for removals: AppDirect lists no removed resources, so finding them needs every id. A full listing is 1 request per 100 users or companies and per 250 subscriptions; reading each row back would be 1 request per row.',
				'',
				`**Setup:** as for *Import existing customers*, plus a Data Table *${RECONCILE_RUNS_TABLE.name}* with a date column \`listingStartedAt\`; then publish.`,
			].join('\n'),
		}),
	);
	return {
		id: CRM_RECONCILE.id,
		name: CRM_RECONCILE.name,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}
