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

// ---- example 3: live sync into Salesforce -------------------------------------------------

export const SALESFORCE_SYNC = {
	file: 'salesforce-crm-sync.json',
	id: 'appdirectSfSync1',
	webhookId: '5d7e9f1a-3b5c-4d7e-9f1a-3b5c7d9e1f23',
	events: CRM_EVENTS,
};

/** The credential the Salesforce steps use (n8n's own type; the sign-in the user does in n8n). */
export const SALESFORCE_CREDENTIAL = { id: 'SalesforceCrm001', name: 'Salesforce account', type: 'salesforceOAuth2Api' };

/**
 * The custom fields the Salesforce sync writes, per object, as the recipe tells users to create them.
 * `AppDirect_Id__c` is the External ID every upsert goes through (one record per AppDirect id).
 */
const salesforceTracking = [
	{ name: 'AppDirect_Id__c', type: 'Text(255), External ID, Unique' },
	{ name: 'AppDirect_Last_Event_At__c', type: 'Date/Time' },
	{ name: 'AppDirect_Removed__c', type: 'Checkbox' },
	{ name: 'AppDirect_Status__c', type: 'Text(40)' },
];
export const SALESFORCE_FIELDS = {
	Account: salesforceTracking,
	Contact: salesforceTracking,
	Opportunity: [...salesforceTracking, { name: 'AppDirect_Edition_Id__c', type: 'Text(40)' }, { name: 'AppDirect_Seats__c', type: 'Number(18, 0)' }],
};

/** What a Salesforce step is about: the n8n resource, its id parameter and the object's API name. */
const SALESFORCE_RESOURCES = {
	company: { resource: 'account', object: 'Account', idParameter: 'accountId', title: 'Company' },
	contact: { resource: 'contact', object: 'Contact', idParameter: 'contactId', title: 'Contact' },
	subscription: { resource: 'opportunity', object: 'Opportunity', idParameter: 'opportunityId', title: 'Subscription' },
};

function salesforceNode({ id, name, parameters, position, alwaysOutputData = false }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.salesforce',
		typeVersion: 1.1,
		position,
		...(alwaysOutputData && { alwaysOutputData: true }),
		parameters: { authentication: 'oAuth2', ...parameters },
		credentials: { [SALESFORCE_CREDENTIAL.type]: { id: SALESFORCE_CREDENTIAL.id, name: SALESFORCE_CREDENTIAL.name } },
	};
}

/** A boolean If step on one expression. */
function ifNode({ id, name, expression, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
				conditions: [{ id: `${id}-c`, leftValue: `={{ ${expression} }}`, rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } }],
				combinator: 'and',
			},
			options: {},
		},
	};
}

/** "… notification": the item every later step reads, with `removed` set for removals and resources gone since. */
function notificationNode({ id, name, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [{ id: `${id}-removed`, name: 'removed', value: "={{ $json.action === 'REMOVED' || $json.exists === false }}", type: 'boolean' }],
			},
			includeOtherFields: true,
			options: {},
		},
	};
}

const custom = (values) => ({ customFieldsValues: Object.entries(values).map(([fieldId, value]) => ({ fieldId, value })) });

/** Connections built step by step: `link(from, to, output)`. */
function connector() {
	const connections = {};
	const link = (from, to, output = 0) => {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push(...inputsOf(to));
	};
	return { connections, link };
}

/** A CRM template's workflow: the trigger's outputs, in CRM_EVENTS order, go to `targets`. */
function crmTemplate({ spec, name, nodes, connections, targets }) {
	const pins = pinnedNotifications();
	return {
		id: spec.id,
		name,
		nodes,
		connections: { ...connections, ...triggerConnections(targets) },
		pinData: { [TRIGGER_NAME]: CRM_EVENTS.map((event) => ({ json: itemFor(pins[event]) })) },
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

/** The Salesforce live sync: per resource, read the record by AppDirect id, skip unless newer, then upsert or mark. */
export function salesforceSyncWorkflow() {
	const nodes = [];
	const { connections, link } = connector();
	const entries = Object.entries(SALESFORCE_RESOURCES);
	const names = {};
	entries.forEach(([label, sf], index) => {
		const y = 160 + index * 480;
		const uid = (n) => `5d7e9f1a-${String(index).padStart(2, '0')}${String(n).padStart(2, '0')}-4d7e-9f1a-3b5c7d9e1f${String(index * 10 + n).padStart(2, '0')}`;
		const n = {
			current: `Get current ${label}`,
			notification: `${sf.title} notification`,
			account: `Find account of ${label}`,
			find: `Find ${label} in Salesforce`,
			newer: `Is ${label} newer?`,
			removed: `${sf.title} removed?`,
			mark: `Mark ${label} removed`,
			upsert: `Upsert ${label}`,
		};
		names[label] = n;
		const item = `$('${n.notification}').first().json`;
		const found = `$('${n.find}').first().json`;
		const tracking = { AppDirect_Last_Event_At__c: `={{ ${item}.occurredAt }}`, AppDirect_Removed__c: `={{ ${item}.removed }}` };
		const linked = label !== 'company';
		nodes.push(
			currentStateNode({ id: uid(1), name: n.current, position: [440, y] }),
			notificationNode({ id: uid(2), name: n.notification, position: [660, y + 80] }),
		);
		if (linked) {
			// The contact's or opportunity's account, by the company's AppDirect id (none yet: left unlinked until a later notification).
			nodes.push(
				salesforceNode({
					id: uid(3),
					name: n.account,
					position: [880, y + 80],
					alwaysOutputData: true,
					parameters: {
						resource: 'account',
						operation: 'getAll',
						returnAll: false,
						limit: 1,
						options: { fields: 'Id', conditionsUi: { conditionValues: [{ field: 'AppDirect_Id__c', operation: 'equal', value: `={{ ${item}.companyId ?? '' }}` }] } },
					},
				}),
			);
		}
		nodes.push(
			salesforceNode({
				id: uid(4),
				name: n.find,
				position: [linked ? 1100 : 880, y + 80],
				alwaysOutputData: true,
				parameters: {
					resource: sf.resource,
					operation: 'getAll',
					returnAll: false,
					limit: 1,
					options: {
						fields: 'Id,AppDirect_Last_Event_At__c',
						conditionsUi: { conditionValues: [{ field: 'AppDirect_Id__c', operation: 'equal', value: `={{ ${item}.resourceId }}` }] },
					},
				},
			}),
			// No record: write unless it is a removal (nothing to mark). A record: write only with a newer notification.
			ifNode({
				id: uid(5),
				name: n.newer,
				position: [linked ? 1320 : 1100, y + 80],
				expression: `${found}.Id ? !${found}.AppDirect_Last_Event_At__c || new Date(${found}.AppDirect_Last_Event_At__c).getTime() < new Date(${item}.occurredAt).getTime() : !${item}.removed`,
			}),
			ifNode({ id: uid(6), name: n.removed, position: [linked ? 1540 : 1320, y + 80], expression: `${item}.removed` }),
			salesforceNode({
				id: uid(7),
				name: n.mark,
				position: [linked ? 1760 : 1540, y],
				parameters: { resource: sf.resource, operation: 'update', [sf.idParameter]: `={{ ${found}.Id }}`, updateFields: { customFieldsUi: custom(tracking) } },
			}),
		);
		const accountId = `={{ $('${n.account}').first().json.Id ?? '' }}`;
		const upsert = {
			company: {
				name: `={{ ${item}.name }}`,
				additionalFields: {
					website: `={{ ${item}.website ?? '' }}`,
					phone: `={{ ${item}.phoneNumber ?? '' }}`,
					billingCity: `={{ ${item}.city ?? '' }}`,
					billingCountry: `={{ ${item}.country ?? '' }}`,
					customFieldsUi: custom({ ...tracking, AppDirect_Status__c: `={{ ${item}.status }}` }),
				},
			},
			contact: {
				lastname: `={{ ${item}.lastName || ${item}.email }}`,
				additionalFields: {
					firstName: `={{ ${item}.firstName ?? '' }}`,
					email: `={{ ${item}.email }}`,
					phone: `={{ ${item}.phoneNumber ?? '' }}`,
					acconuntId: { __rl: true, mode: 'id', value: accountId },
					customFieldsUi: custom({ ...tracking, AppDirect_Status__c: `={{ ${item}.status }}` }),
				},
			},
			subscription: {
				name: `={{ [${item}.content?.order?.orderLines?.[0]?.applicationName, ${item}.content?.order?.orderLines?.[0]?.editionName].filter(Boolean).join(' ') || 'AppDirect subscription ' + ${item}.resourceId }}`,
				closeDate: `={{ ${item}.createdAt ?? ${item}.occurredAt }}`,
				stageName: `={{ { ACTIVE: 'Closed Won', CANCELLED: 'Closed Lost' }[${item}.status] ?? 'Prospecting' }}`,
				additionalFields: {
					amount: `={{ ${item}.totalPrice }}`,
					accountId: { __rl: true, mode: 'id', value: accountId },
					customFieldsUi: custom({
						...tracking,
						AppDirect_Status__c: `={{ ${item}.status }}`,
						AppDirect_Edition_Id__c: `={{ ${item}.editionId }}`,
						AppDirect_Seats__c: `={{ ${item}.maxUsers }}`,
					}),
				},
			},
		}[label];
		nodes.push(
			salesforceNode({
				id: uid(8),
				name: n.upsert,
				position: [linked ? 1760 : 1540, y + 160],
				parameters: { resource: sf.resource, operation: 'upsert', externalId: 'AppDirect_Id__c', externalIdValue: `={{ ${item}.resourceId }}`, ...upsert },
			}),
		);
		link(n.current, n.notification);
		link(n.notification, linked ? n.account : n.find);
		if (linked) link(n.account, n.find);
		link(n.find, n.newer);
		link(n.newer, n.removed);
		link(n.removed, n.mark, 0);
		link(n.removed, n.upsert, 1);
	});
	// Added and Changed read the current state; Removed carries no content and goes straight on.
	const targets = entries.flatMap(([label]) => [names[label].current, names[label].current, names[label].notification]);
	nodes.unshift(triggerNode({ id: '5d7e9f1a-0000-4d7e-9f1a-3b5c7d9e1f00', webhookId: SALESFORCE_SYNC.webhookId, events: CRM_EVENTS, position: [160, 640] }));
	nodes.push(
		sticky({
			id: '5d7e9f1a-0900-4d7e-9f1a-3b5c7d9e1f90',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: 760,
			content: [
				'## AppDirect → Salesforce sync',
				'Companies become **Accounts**, users **Contacts** (linked to their company\'s Account) and subscriptions **Opportunities** (status, edition, seats, price). Every record carries the AppDirect id in the External ID field `AppDirect_Id__c`.',
				'',
				'- **Get current …**: for *Added* and *Changed*, reads what AppDirect\'s API shows **now**.',
				'- **… notification**: sets `removed` for a *Removed* notification, or a resource AppDirect no longer has.',
				'- **Find … in Salesforce**: the record with this AppDirect id, if any.',
				'- **Is … newer?**: goes on only when Salesforce has no record yet, or the record\'s `AppDirect_Last_Event_At__c` is older than this notification. A repeated or late notification stops here.',
				'- **Upsert …**: writes by External ID, so two notifications handled at the same moment still make one record.',
				'- **Mark … removed**: ticks `AppDirect_Removed__c`; nothing is ever deleted.',
				'',
				'**Setup:** create the custom fields listed in `docs/crm-recipes.md`, a *Salesforce account* credential (OAuth2), the trigger\'s token credential and an *AppDirect API* credential; then publish and enter the Production URL in AppDirect.',
			].join('\n'),
		}),
		pinNote('5d7e9f1a-0901-4d7e-9f1a-3b5c7d9e1f91', [-360, 920], 'Company Added', names.company.current, CRM_EVENTS.length),
	);
	return crmTemplate({ spec: SALESFORCE_SYNC, name: 'AppDirect → Salesforce sync', nodes, connections, targets });
}

// ---- example 4: live sync into HubSpot ----------------------------------------------------

export const HUBSPOT_SYNC = {
	file: 'hubspot-crm-sync.json',
	id: 'appdirectHsSync1',
	webhookId: '7a9c1e3f-5b7d-4f9a-8c1e-3f5b7d9a1c35',
	events: CRM_EVENTS,
};

/** The private-app token credential n8n's HubSpot node and the HTTP Request steps share. */
export const HUBSPOT_CREDENTIAL = { id: 'HubSpotAppToken1', name: 'HubSpot private app', type: 'hubspotAppToken' };

/** The custom properties the HubSpot sync writes, per object, as the recipe tells users to create them. */
const hubspotTracking = [
	{ name: 'appdirect_id', type: 'Single-line text, unique values' },
	{ name: 'appdirect_last_event_at', type: 'Date and time picker' },
	{ name: 'appdirect_removed', type: 'Single checkbox' },
	{ name: 'appdirect_status', type: 'Single-line text' },
];
export const HUBSPOT_PROPERTIES = {
	companies: hubspotTracking,
	contacts: hubspotTracking,
	deals: [...hubspotTracking, { name: 'appdirect_edition_id', type: 'Single-line text' }, { name: 'appdirect_seats', type: 'Number' }],
};

const HUBSPOT_API = 'https://api.hubapi.com';

function hubspotNode({ id, name, parameters, position, onError }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.hubspot',
		typeVersion: 2.2,
		position,
		...(onError && { onError }),
		parameters: { authentication: 'appToken', ...parameters },
		credentials: { [HUBSPOT_CREDENTIAL.type]: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	};
}

/**
 * Reads one HubSpot record by its AppDirect id. n8n's HubSpot node cannot look a company or a deal
 * up by a property, so this is n8n's HTTP Request node with the same HubSpot credential. Not found
 * (404) continues with an item that has no `id`.
 */
function hubspotFindNode({ id, name, type, appdirectId, properties, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		alwaysOutputData: true,
		onError: 'continueRegularOutput',
		parameters: {
			method: 'GET',
			url: `={{ '${HUBSPOT_API}/crm/v3/objects/${type}/' + encodeURIComponent(${appdirectId} || 'none') }}`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: HUBSPOT_CREDENTIAL.type,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'idProperty', value: 'appdirect_id' }, { name: 'properties', value: properties }] },
			options: {},
		},
		credentials: { [HUBSPOT_CREDENTIAL.type]: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	};
}

const hubspotProperties = (values) => ({ customPropertiesValues: Object.entries(values).map(([property, value]) => ({ property, value })) });

/** HubSpot's date-time properties take epoch milliseconds; HubSpot may read them back as ISO text. */
const epochOf = (value) => `(isNaN(Number(${value})) ? Date.parse(${value}) : Number(${value}))`;

/** The HubSpot live sync: per resource, read by AppDirect id, skip unless newer, then create, update or mark. */
export function hubspotSyncWorkflow() {
	const nodes = [];
	const { connections, link } = connector();
	const resources = [
		['company', 'companies', 'Company'],
		['contact', 'contacts', 'Contact'],
		['subscription', 'deals', 'Subscription'],
	];
	const names = {};
	resources.forEach(([label, type, title], index) => {
		const y = 160 + index * 560;
		const uid = (n) => `7a9c1e3f-${String(index).padStart(2, '0')}${String(n).padStart(2, '0')}-4f9a-8c1e-3f5b7d9a1c${String(index * 20 + n).padStart(2, '0')}`;
		const n = {
			current: `Get current ${label}`,
			notification: `${title} notification`,
			company: `Find company of ${label}`,
			find: `Find ${label} in HubSpot`,
			newer: `Is ${label} newer?`,
			removed: `${title} removed?`,
			mark: `Mark ${label} removed`,
			exists: `${title} in HubSpot?`,
			create: `Create ${label}`,
			update: label === 'contact' ? 'Create or update contact' : `Update ${label}`,
			again: `Find ${label} after conflict`,
			found: `Found ${label} after conflict?`,
			stop: `Stop: ${label} not saved`,
		};
		names[label] = n;
		const item = `$('${n.notification}').first().json`;
		const companyId = `$('${n.company}').first().json.id`;
		const linked = label !== 'company';
		const x = linked ? 220 : 0;
		const tracking = {
			appdirect_id: `={{ ${item}.resourceId }}`,
			appdirect_last_event_at: `={{ new Date(${item}.occurredAt).getTime() }}`,
			appdirect_removed: `={{ ${item}.removed }}`,
		};
		nodes.push(
			currentStateNode({ id: uid(1), name: n.current, position: [440, y] }),
			notificationNode({ id: uid(2), name: n.notification, position: [660, y + 80] }),
		);
		if (linked) {
			nodes.push(hubspotFindNode({ id: uid(3), name: n.company, type: 'companies', appdirectId: `${item}.companyId`, properties: 'appdirect_id', position: [880, y + 80] }));
		}
		const properties = label === 'contact' ? 'appdirect_id,appdirect_last_event_at,email' : 'appdirect_id,appdirect_last_event_at';
		nodes.push(
			hubspotFindNode({ id: uid(4), name: n.find, type, appdirectId: `${item}.resourceId`, properties, position: [880 + x, y + 80] }),
			// No record: write unless it is a removal (nothing to mark). A record: write only with a newer notification.
			ifNode({
				id: uid(5),
				name: n.newer,
				position: [1100 + x, y + 80],
				expression: `$json.id ? !$json.properties?.appdirect_last_event_at || ${epochOf('$json.properties.appdirect_last_event_at')} < new Date(${item}.occurredAt).getTime() : !${item}.removed`,
			}),
			ifNode({ id: uid(6), name: n.removed, position: [1320 + x, y + 80], expression: `${item}.removed` }),
		);
		if (label === 'contact') {
			// Contacts are written by email (n8n's node has no update by id); the removal keeps the record's own email.
			const contactFields = (email, values) => ({
				resource: 'contact',
				operation: 'upsert',
				email,
				additionalFields: values,
				options: { resolveData: false },
			});
			nodes.push(
				hubspotNode({ id: uid(7), name: n.mark, position: [1540 + x, y], parameters: contactFields('={{ $json.properties.email }}', { customPropertiesUi: hubspotProperties(tracking) }) }),
				hubspotNode({
					id: uid(8),
					name: n.update,
					position: [1540 + x, y + 160],
					parameters: contactFields(`={{ ${item}.email }}`, {
						firstName: `={{ ${item}.firstName ?? '' }}`,
						lastName: `={{ ${item}.lastName ?? '' }}`,
						phoneNumber: `={{ ${item}.phoneNumber ?? '' }}`,
						associatedCompanyId: `={{ ${companyId} ?? '' }}`,
						customPropertiesUi: hubspotProperties({ ...tracking, appdirect_status: `={{ ${item}.status }}` }),
					}),
				}),
			);
			link(n.removed, n.mark, 0);
			link(n.removed, n.update, 1);
		} else {
			const content =
				label === 'company'
					? {
							fields: {
								websiteUrl: `={{ ${item}.website ?? '' }}`,
								phoneNumber: `={{ ${item}.phoneNumber ?? '' }}`,
								city: `={{ ${item}.city ?? '' }}`,
								country: `={{ ${item}.country ?? '' }}`,
								customPropertiesUi: hubspotProperties({ ...tracking, appdirect_status: `={{ ${item}.status }}` }),
							},
							create: { resource: 'company', operation: 'create', name: `={{ ${item}.name }}` },
							update: (fields) => ({ resource: 'company', operation: 'update', companyId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, updateFields: { name: `={{ ${item}.name }}`, ...fields } }),
							mark: { resource: 'company', operation: 'update', companyId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, updateFields: { customPropertiesUi: hubspotProperties(tracking) } },
						}
					: (() => {
							const dealName = `={{ [${item}.content?.order?.orderLines?.[0]?.applicationName, ${item}.content?.order?.orderLines?.[0]?.editionName].filter(Boolean).join(' ') || 'AppDirect subscription ' + ${item}.resourceId }}`;
							const stage = `={{ { ACTIVE: 'closedwon', CANCELLED: 'closedlost' }[${item}.status] ?? 'appointmentscheduled' }}`;
							const fields = {
								dealName,
								amount: `={{ ${item}.totalPrice }}`,
								customPropertiesUi: hubspotProperties({
									...tracking,
									appdirect_status: `={{ ${item}.status }}`,
									appdirect_edition_id: `={{ ${item}.editionId }}`,
									appdirect_seats: `={{ ${item}.maxUsers }}`,
								}),
							};
							const dealId = { __rl: true, mode: 'id', value: '={{ $json.id }}' };
							return {
								fields,
								create: { resource: 'deal', operation: 'create', stage, additionalFields: { ...fields, associatedCompany: `={{ ${companyId} ? [${companyId}] : [] }}` } },
								update: () => ({ resource: 'deal', operation: 'update', dealId, updateFields: { ...fields, stage } }),
								mark: { resource: 'deal', operation: 'update', dealId, updateFields: { customPropertiesUi: hubspotProperties(tracking) } },
							};
						})();
			const create = label === 'company' ? { ...content.create, additionalFields: content.fields } : content.create;
			nodes.push(
				hubspotNode({ id: uid(7), name: n.mark, position: [1540 + x, y], parameters: content.mark }),
				ifNode({ id: uid(9), name: n.exists, position: [1540 + x, y + 160], expression: '!!$json.id' }),
				hubspotNode({ id: uid(8), name: n.update, position: [1760 + x, y + 80], parameters: content.update(content.fields) }),
				// A second create with the same appdirect_id is refused (409 Conflict): another execution
				// created the record a moment ago. n8n keeps no status on the error output, so any refusal
				// reads the record again; found, it goes back through "Is … newer?", not found, the error stands.
				hubspotNode({ id: uid(10), name: n.create, position: [1760 + x, y + 240], onError: 'continueErrorOutput', parameters: create }),
				hubspotFindNode({ id: uid(11), name: n.again, type, appdirectId: `${item}.resourceId`, properties, position: [1980 + x, y + 320] }),
				ifNode({ id: uid(12), name: n.found, position: [2200 + x, y + 320], expression: '!!$json.id' }),
				{
					id: uid(13),
					name: n.stop,
					type: 'n8n-nodes-base.stopAndError',
					typeVersion: 1,
					position: [2420 + x, y + 400],
					parameters: { errorMessage: `={{ 'HubSpot refused to create the ${label} ' + ${item}.resourceId + ' and has no record with this appdirect_id: ' + JSON.stringify($('${n.create}').first().json.error ?? '') }}` },
				},
			);
			link(n.removed, n.mark, 0);
			link(n.removed, n.exists, 1);
			link(n.exists, n.update, 0);
			link(n.exists, n.create, 1);
			link(n.create, n.again, 1);
			link(n.again, n.found);
			link(n.found, n.newer, 0);
			link(n.found, n.stop, 1);
		}
		link(n.current, n.notification);
		link(n.notification, linked ? n.company : n.find);
		if (linked) link(n.company, n.find);
		link(n.find, n.newer);
		link(n.newer, n.removed);
	});
	const targets = resources.flatMap(([label]) => [names[label].current, names[label].current, names[label].notification]);
	nodes.unshift(triggerNode({ id: '7a9c1e3f-0000-4f9a-8c1e-3f5b7d9a1c00', webhookId: HUBSPOT_SYNC.webhookId, events: CRM_EVENTS, position: [160, 640] }));
	nodes.push(
		sticky({
			id: '7a9c1e3f-0900-4f9a-8c1e-3f5b7d9a1c90',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: 820,
			content: [
				'## AppDirect → HubSpot sync',
				'Companies become HubSpot **companies**, users **contacts** (associated with their company) and subscriptions **deals** (status, edition, seats, amount). Every record carries the AppDirect id in the unique property `appdirect_id`.',
				'',
				'- **Get current …**: for *Added* and *Changed*, reads what AppDirect\'s API shows **now**.',
				'- **Find … in HubSpot**: the record with this `appdirect_id` (an HTTP Request with the HubSpot credential: the HubSpot node cannot look a record up by a property).',
				'- **Is … newer?**: goes on only when HubSpot has no record yet, or its `appdirect_last_event_at` is older than this notification. A repeated or late notification stops here.',
				'- **Create …**: when two notifications about a new company arrive together, HubSpot refuses the second create (the value of `appdirect_id` is unique); the workflow then reads the record again and updates it.',
				'- **Mark … removed**: sets `appdirect_removed`; nothing is ever deleted.',
				'',
				'**Setup:** create the properties listed in `docs/crm-recipes.md`, a *HubSpot private app* credential (App Token), the trigger\'s token credential and an *AppDirect API* credential; then publish and enter the Production URL in AppDirect.',
			].join('\n'),
		}),
		pinNote('7a9c1e3f-0901-4f9a-8c1e-3f5b7d9a1c91', [-360, 980], 'Company Added', names.company.current, CRM_EVENTS.length),
	);
	return crmTemplate({ spec: HUBSPOT_SYNC, name: 'AppDirect → HubSpot sync', nodes, connections, targets });
}

export function buildExamples() {
	return {
		[CRM_SYNC.file]: crmSyncWorkflow(),
		[SUBSCRIPTIONS_TO_CRM.file]: subscriptionsToCrmWorkflow(),
		[SALESFORCE_SYNC.file]: salesforceSyncWorkflow(),
		[HUBSPOT_SYNC.file]: hubspotSyncWorkflow(),
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
