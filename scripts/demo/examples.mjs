#!/usr/bin/env node
// Builds the example workflows in examples/ from one description, so the demo, the tests and
// the files agree on table names, columns, credential and webhook ids. Pinned data is what the
// built node (dist/) really emits for realistic notifications.
//
//   node scripts/demo/examples.mjs           rewrite examples/*.json (needs `npm run build`)
//   node scripts/demo/examples.mjs --check   exit 1 if a file differs from what would be written
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { pinnedNotifications, pinnedSubscriptionNotifications } from './notifications.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const examplesDir = path.join(root, 'examples');

export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
export const TRIGGER_NAME = 'AppDirect Trigger';
export const WEBHOOK_PATH = 'appdirect';

/** The token credential both examples use. The demo creates it with exactly this id. */
export const CREDENTIAL = { id: 'AppDirectToken01', name: 'AppDirect webhook token', type: 'appDirectWebhookTokenApi' };

/** The API credential the CRM sync's "Get current …" steps use. The demo creates it with exactly this id. */
export const API_CREDENTIAL = { id: 'AppDirectApi0001', name: 'AppDirect API', type: 'appDirectOAuth2Api' };
export const ACTION_TYPE = 'n8n-nodes-appdirect.appDirect';

// Data Table columns. `value` is what added/changed notifications write; `removal` marks the
// row on a removal (which carries no content), leaving the last known values in place.
const tracking = [
	{ name: 'removed', type: 'boolean', value: false, removal: true },
	{ name: 'lastEvent', type: 'string', value: '={{ $json.event }}', removal: '={{ $json.event }}' },
	{ name: 'lastEventAt', type: 'date', value: '={{ $json.occurredAt }}', removal: '={{ $json.occurredAt }}' },
	{ name: 'lastNotificationId', type: 'string', value: '={{ $json.notificationId }}', removal: '={{ $json.notificationId }}' },
];
const key = { name: 'appdirectId', type: 'string', value: '={{ $json.resourceId }}', removal: '={{ $json.resourceId }}' };
const field = (name, type = 'string', from = name) => ({ name, type, value: `={{ $json.${from} }}` });

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

function loadNode() {
	try {
		return {
			parse: require(path.join(root, 'dist/nodes/AppDirect/trigger/parse.js')).parseNotification,
			toItem: require(path.join(root, 'dist/nodes/AppDirect/shared/item.js')).toItem,
		};
	} catch (error) {
		throw new Error(`Run \`npm run build\` first: ${error.message}`);
	}
}

export function itemFor(notification) {
	const { parse, toItem } = loadNode();
	const parsed = parse(JSON.stringify(notification));
	if (!parsed.ok) throw new Error(`sample is not a valid notification: ${parsed.problem}`);
	return toItem(parsed.notification, {});
}

// ---- workflow building blocks -------------------------------------------------------------

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

function triggerNode({ id, webhookId, events, position }) {
	return {
		id,
		name: TRIGGER_NAME,
		type: TRIGGER_TYPE,
		typeVersion: 2,
		position,
		webhookId,
		parameters: {
			authentication: 'token',
			events,
			splitBy: 'event',
			unmatched: 'ignore',
			// A CRM write that fails makes AppDirect retry the notification later.
			respond: 'whenFinished',
			options: {},
		},
		credentials: { [CREDENTIAL.type]: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
	};
}

/** "Get Current State" of the resource a notification is about: what AppDirect's API returns now. */
function currentStateNode({ id, name, position }) {
	return {
		id,
		name,
		type: ACTION_TYPE,
		typeVersion: 1,
		position,
		parameters: { operation: 'getCurrentState', resourceUrl: '={{ $json.resourceUrl }}' },
		credentials: { [API_CREDENTIAL.type]: { id: API_CREDENTIAL.id, name: API_CREDENTIAL.name } },
	};
}

/**
 * "… still in AppDirect?": true when Get Current State found the resource, false when AppDirect
 * answered 404 (removed since the notification), which then only marks the row removed.
 */
function stillInAppDirectNode({ id, name, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [{ id: `${id}-exists`, leftValue: '={{ $json.exists }}', rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } }],
				combinator: 'and',
			},
			options: {},
		},
	};
}

function sticky({ id, name, content, position, width, height, color }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position,
		parameters: { content, width, height, ...(color && { color }) },
	};
}

/** What one output connects to: one node name, or several. */
const inputsOf = (names) => [names].flat().map((node) => ({ node, type: 'main', index: 0 }));

/** Connections from the trigger: output index i goes to targets[i] (one node name, or several). */
function triggerConnections(targets) {
	return { [TRIGGER_NAME]: { main: targets.map(inputsOf) } };
}

function chain(from, to) {
	return { [from]: { main: [inputsOf(to)] } };
}

function pinNote(id, position, firstOutput, firstStep, count) {
	return sticky({
		id,
		name: 'About the sample data',
		position,
		width: 420,
		height: 330,
		color: 3,
		content: [
			'## Sample data',
			`The trigger holds **pinned sample items, one per output** (${count}), exactly as the AppDirect Trigger produces them, so every step has fields to map before AppDirect sends anything.`,
			'',
			`n8n pins data per node, not per output: every output of the trigger shows all ${count} samples (the \`event\` field says which output each belongs to), and **Execute workflow** sends all ${count} out of the first output (*${firstOutput}*) only, into *${firstStep}*.`,
			'',
			'**Unpin the trigger before testing** with real notifications or `npm run send`. Published workflows never use pinned data.',
		].join('\n'),
	});
}

// ---- example 1: CRM sync into Data Tables -------------------------------------------------

const CRM_EVENTS = [
	'company.added',
	'company.changed',
	'company.removed',
	'user.added',
	'user.changed',
	'user.removed',
	'subscription.added',
	'subscription.changed',
	'subscription.removed',
];

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

const SUBSCRIPTION_EVENTS = ['subscription.added', 'subscription.changed', 'subscription.removed'];

export const SUBSCRIPTIONS_TO_CRM = {
	file: 'appdirect-subscriptions-to-crm.json',
	id: 'appdirectSubsCrm',
	webhookId: 'f3b9a7c2-4d6e-4a1b-9c8d-2e7f6a5b4c31',
	events: SUBSCRIPTION_EVENTS,
	/** The placeholder the user replaces; tests point it at a local receiver. */
	crmBaseUrl: 'https://crm.example.com/api',
};

function httpNode({ id, name, url, body, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.5,
		position,
		parameters: {
			method: 'POST',
			url,
			authentication: 'none',
			sendHeaders: true,
			specifyHeaders: 'keypair',
			headerParameters: {
				// AppDirect may deliver a notification twice; a CRM that honours the key creates one record.
				parameters: [{ name: 'Idempotency-Key', value: '={{ $json.notificationId }}' }],
			},
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: body,
			options: {},
		},
	};
}

export function subscriptionsToCrmWorkflow() {
	const pins = pinnedSubscriptionNotifications();
	const base = SUBSCRIPTIONS_TO_CRM.crmBaseUrl;
	const names = {
		create: 'Create subscription in CRM',
		onlyCancelled: 'Only cancellations',
		cancel: 'Mark subscription cancelled in CRM',
	};
	const nodes = [
		triggerNode({
			id: '3c4d5e6f-0001-4a7b-8c9d-0e1f2a3b4c71',
			webhookId: SUBSCRIPTIONS_TO_CRM.webhookId,
			events: SUBSCRIPTION_EVENTS,
			position: [160, 400],
		}),
		httpNode({
			id: '3c4d5e6f-0002-4a7b-8c9d-0e1f2a3b4c72',
			name: names.create,
			url: `${base}/subscriptions`,
			position: [640, 220],
			body: `={{ JSON.stringify({
  appdirectSubscriptionId: $json.resourceId,
  companyId: $json.companyId,
  userId: $json.userId,
  status: $json.status,
  productId: $json.productId,
  editionId: $json.editionId,
  seats: $json.maxUsers,
  amount: $json.totalPrice,
  currency: $json.currency,
  frequency: $json.frequency,
  startedAt: $json.createdAt,
  nextBillingDate: $json.nextBillingDate,
  marketplace: $json.marketplaceUrl
}) }}`,
		}),
		{
			id: '3c4d5e6f-0003-4a7b-8c9d-0e1f2a3b4c73',
			name: names.onlyCancelled,
			type: 'n8n-nodes-base.filter',
			typeVersion: 2.3,
			position: [400, 420],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 3 },
					conditions: [
						{
							id: '4d5e6f7a-0001-4b8c-9d0e-1f2a3b4c5d81',
							leftValue: '={{ $json.status }}',
							rightValue: 'CANCELLED',
							operator: { type: 'string', operation: 'equals' },
						},
					],
					combinator: 'and',
				},
				options: {},
			},
		},
		httpNode({
			id: '3c4d5e6f-0004-4a7b-8c9d-0e1f2a3b4c74',
			name: names.cancel,
			url: `=${base}/subscriptions/{{ encodeURIComponent($json.resourceId) }}/cancel`,
			position: [640, 560],
			body: `={{ JSON.stringify({
  appdirectSubscriptionId: $json.resourceId,
  reason: $json.action === 'REMOVED' ? 'removed in AppDirect' : 'cancelled in AppDirect',
  cancelledAt: $json.endsAt ?? $json.occurredAt,
  event: $json.event
}) }}`,
		}),
		sticky({
			id: '3c4d5e6f-0005-4a7b-8c9d-0e1f2a3b4c75',
			name: 'About this workflow',
			position: [-360, 160],
			width: 460,
			height: 380,
			content: [
				'## AppDirect subscriptions → CRM',
				'New subscriptions become records in your CRM; cancellations (a *Subscription Changed* with status CANCELLED, or a *Subscription Removed*) mark them cancelled.',
				'',
				'**Replace `https://crm.example.com/api`** in both HTTP Request steps with your CRM\'s API and set their **Authentication** (for example a Header Auth credential with your API key). Adjust the JSON bodies to your CRM\'s fields.',
				'',
				'The trigger answers AppDirect only when the workflow has finished: if the CRM is down, AppDirect retries the notification later.',
			].join('\n'),
		}),
		pinNote('3c4d5e6f-0006-4a7b-8c9d-0e1f2a3b4c76', [-360, 580], 'Subscription Added', names.create, SUBSCRIPTION_EVENTS.length),
	];
	return {
		id: SUBSCRIPTIONS_TO_CRM.id,
		name: 'AppDirect subscriptions → CRM (HTTP API)',
		nodes,
		connections: {
			...triggerConnections([names.create, names.onlyCancelled, names.cancel]),
			...chain(names.onlyCancelled, names.cancel),
		},
		pinData: { [TRIGGER_NAME]: SUBSCRIPTION_EVENTS.map((event) => ({ json: itemFor(pins[event]) })) },
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

export function buildExamples() {
	return {
		[CRM_SYNC.file]: crmSyncWorkflow(),
		[SUBSCRIPTIONS_TO_CRM.file]: subscriptionsToCrmWorkflow(),
	};
}

export const serialise = (workflow) => `${JSON.stringify(workflow, null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const check = process.argv.includes('--check');
	let stale = 0;
	for (const [file, workflow] of Object.entries(buildExamples())) {
		const target = path.join(examplesDir, file);
		const text = serialise(workflow);
		if (check) {
			let current = '';
			try {
				current = readFileSync(target, 'utf8');
			} catch {
				// missing counts as stale
			}
			if (current !== text) {
				stale++;
				console.error(`${path.relative(root, target)} is out of date: run node scripts/demo/examples.mjs`);
			}
		} else {
			writeFileSync(target, text);
			console.log(`wrote ${path.relative(root, target)}`);
		}
	}
	process.exit(stale ? 1 : 0);
}
