// The building blocks every example workflow shares: ids, the trigger and AppDirect node steps,
// sticky notes, connections, and the skeleton of a CRM template.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { pinnedNotifications } from '../notifications.mjs';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const examplesDir = path.join(root, 'examples');

export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
export const TRIGGER_NAME = 'AppDirect Trigger';
export const WEBHOOK_PATH = 'appdirect';

/** The token credential both examples use. The demo creates it with exactly this id. */
export const CREDENTIAL = { id: 'AppDirectToken01', name: 'AppDirect webhook token', type: 'appDirectWebhookTokenApi' };

/** The API credential the CRM sync's "Get current …" steps use. The demo creates it with exactly this id. */
export const API_CREDENTIAL = { id: 'AppDirectApi0001', name: 'AppDirect API', type: 'appDirectOAuth2Api' };
export const ACTION_TYPE = 'n8n-nodes-appdirect.appDirect';

export function loadNode() {
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

export function triggerNode({ id, webhookId, events, position }) {
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

/** A step of the AppDirect node with the API credential: `parameters` say which operation. */
export function appDirectNode({ id, name, position, parameters }) {
	return {
		id,
		name,
		type: ACTION_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: { [API_CREDENTIAL.type]: { id: API_CREDENTIAL.id, name: API_CREDENTIAL.name } },
	};
}

/** "Get Current State" of the resource a notification is about: what AppDirect's API returns now. */
export function currentStateNode({ id, name, position }) {
	return appDirectNode({ id, name, position, parameters: { operation: 'getCurrentState', resourceUrl: '={{ $json.resourceUrl }}' } });
}

export function sticky({ id, name, content, position, width, height, color }) {
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
export const inputsOf = (names) => [names].flat().map((node) => ({ node, type: 'main', index: 0 }));

/** Connections from the trigger: output index i goes to targets[i] (one node name, or several). */
export function triggerConnections(targets) {
	return { [TRIGGER_NAME]: { main: targets.map(inputsOf) } };
}

export function chain(from, to) {
	return { [from]: { main: [inputsOf(to)] } };
}

export function pinNote(id, position, firstOutput, firstStep, count) {
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

export const CRM_EVENTS = [
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

/** A boolean If step on one expression. */
export function ifNode({ id, name, expression, position }) {
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

/** n8n's Set node (*Edit Fields*) with these assignments (`{ id, name, value, type }`); `keep`: pass the item's other fields on too. */
export function setNode({ id, name, position, assignments, keep = false }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: { mode: 'manual', assignments: { assignments }, includeOtherFields: keep, options: {} },
	};
}

/** "… notification": the item every later step reads, with `removed` set for removals and resources gone since. */
export function notificationNode({ id, name, position }) {
	const removed = "={{ $json.action === 'REMOVED' || $json.exists === false }}";
	return setNode({ id, name, position, keep: true, assignments: [{ id: `${id}-removed`, name: 'removed', value: removed, type: 'boolean' }] });
}

export const custom = (values) => ({ customFieldsValues: Object.entries(values).map(([fieldId, value]) => ({ fieldId, value })) });

/** Connections built step by step: `link(from, to, output)`. */
export function connector() {
	const connections = {};
	const link = (from, to, output = 0) => {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push(...inputsOf(to));
	};
	return { connections, link };
}

/** A CRM template's workflow: the trigger's outputs, in CRM_EVENTS order, go to `targets`. */
export function crmTemplate({ spec, name, nodes, connections, targets }) {
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
