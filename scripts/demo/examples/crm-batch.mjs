// The import and the nightly reconciliation both CRM templates share. A Manual Trigger (import) or a
// Schedule Trigger (reconciliation) lists AppDirect's companies, users and subscriptions (the
// AppDirect node's Get Many) and sends each one, in its own execution, through the SAME steps a
// notification takes: the template calls itself (Execute Workflow, this workflow's id) once per
// resource, and its "When called by the import" trigger routes the resource to the live sync's
// "Get current …" step, or, for a resource gone from AppDirect, to its "… notification" step as a
// removal. So an imported record is written exactly as a notified one: read by its AppDirect id,
// skipped unless newer, created or updated, marked removed, one record per AppDirect id.
import { currentStateNode, sticky } from './nodes.mjs';

/** The names of the import's steps, for the tests and the recipe. */
export const IMPORT_STEPS = {
	manual: 'Import from AppDirect',
	nightly: 'Every night',
	called: 'When called by the import',
	route: 'Which resource?',
	all: 'Everything listed',
	each: 'One resource at a time',
	sync: 'Sync one resource',
};

/** What the import lists, in order: companies first, so that contacts and deals find their company. */
const LISTED = [
	['COMPANY', 'List companies'],
	['USER', 'List users'],
	['SUBSCRIPTION', 'List subscriptions'],
];

function listNode({ id, name, resourceType, position }) {
	return {
		// The AppDirect node with its API credential, as the live sync's "Get current …" steps.
		...currentStateNode({ id, name, position }),
		// Once per step (not once per item of the step before), and on with an empty item when AppDirect lists nothing.
		executeOnce: true,
		alwaysOutputData: true,
		parameters: { operation: 'getAll', resourceType, companies: 'all', returnAll: true, filters: {} },
	};
}

/**
 * Adds the import to a CRM template's nodes. `names` are the live sync's step names per resource
 * (company, contact, subscription: its "Get current …" step is `current`); node ids are
 * `${idPrefix}-08NN${idSuffix}NN`, after the template's own.
 */
export function addImport({ nodes, link, names, idPrefix, idSuffix, origin: [x, y] }) {
	const s = IMPORT_STEPS;
	const uid = (n) => `${idPrefix}-08${String(n).padStart(2, '0')}${idSuffix}${String(80 + n).padStart(2, '0')}`;
	const steps = [names.company, names.contact, names.subscription];
	nodes.push(
		{ id: uid(1), name: s.manual, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [x, y], parameters: {} },
		...LISTED.map(([resourceType, name], index) => listNode({ id: uid(2 + index), name, resourceType, position: [x + 220 * (index + 1), y] })),
		{
			id: uid(5),
			name: s.all,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [x + 880, y],
			parameters: {
				jsCode: [
					"// Every listed resource, companies first, as of the moment it was listed: a notification",
					"// with an older time changes nothing afterwards, a newer one still does.",
					`const listed = [${LISTED.map(([, name]) => `...$('${name}').all()`).join(', ')}];`,
					'return listed',
					'\t.filter((item) => item.json.resourceUrl)',
					"\t.map((item) => ({ json: { ...item.json, event: 'import', action: 'CHANGED', occurredAt: item.json.fetchedAt } }));",
				].join('\n'),
			},
		},
		...loopNodes({ uid: (n) => uid(6 + n), each: s.each, sync: s.sync, position: [x + 1100, y] }),
		{ id: uid(8), name: s.called, type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1.1, position: [x, y + 300], parameters: { inputSource: 'passthrough' } },
		{
			id: uid(9),
			name: s.route,
			type: 'n8n-nodes-base.switch',
			typeVersion: 3.2,
			position: [x + 220, y + 300],
			parameters: {
				mode: 'expression',
				numberOutputs: 6,
				// Current state for a listed resource, the removal path for one gone from AppDirect. An
				// unknown type has no output: the execution fails and says so, nothing is skipped silently.
				output: "={{ (({ COMPANY: 0, USER: 1, SUBSCRIPTION: 2 })[$json.resourceType] ?? -10) + ($json.action === 'REMOVED' ? 3 : 0) }}",
			},
		},
		sticky({
			id: uid(10),
			name: 'About the import',
			position: [x - 40, y - 280],
			width: 1560,
			height: 240,
			content: [
				'## Import everything from AppDirect',
				`Click **Execute workflow** on *${s.manual}* once, after publishing: it lists every company, user and subscription and sends each through the same steps as a notification (*${s.sync}* calls this workflow, whose *${s.called}* trigger goes to *Get current …*).`,
				'Records that exist already are updated; running it again changes nothing new.',
			].join('\n'),
		}),
	);
	link(s.manual, LISTED[0][1]);
	LISTED.slice(1).forEach(([, name], index) => link(LISTED[index][1], name));
	link(LISTED.at(-1)[1], s.all);
	link(s.all, s.each);
	link(s.each, s.sync, 1);
	link(s.sync, s.each);
	link(s.called, s.route);
	steps.forEach((step, output) => {
		link(s.route, step.current, output);
		link(s.route, step.notification, output + 3);
	});
}

/** A "sync one resource at a time" loop: each item in its own execution of this workflow. */
function loopNodes({ uid, each, sync, position: [x, y] }) {
	return [
		{ id: uid(0), name: each, type: 'n8n-nodes-base.splitInBatches', typeVersion: 3, position: [x, y], parameters: { batchSize: 1, options: {} } },
		{
			id: uid(1),
			name: sync,
			type: 'n8n-nodes-base.executeWorkflow',
			typeVersion: 1.2,
			position: [x + 220, y + 100],
			parameters: {
				source: 'database',
				// This workflow: its "When called by the import" trigger starts the live sync's steps.
				workflowId: { __rl: true, mode: 'id', value: '={{ $workflow.id }}' },
				workflowInputs: { mappingMode: 'defineBelow', value: {}, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: true },
				mode: 'once',
				options: { waitForSubWorkflow: true },
			},
		},
	];
}

export const RECONCILE_STEPS = {
	nightly: 'Every night',
	since: 'Since the last run',
	decide: 'What changed and what is gone',
	each: 'One reconciled resource at a time',
	sync: 'Reconcile one resource',
	remember: 'Remember this run',
};

const RECONCILE_LISTS = [
	['COMPANY', 'List all companies', false],
	['USER', 'List all users', false],
	['SUBSCRIPTION', 'List all subscriptions', false],
	['USER', 'List users changed since', true],
	['SUBSCRIPTION', 'List subscriptions changed since', true],
];

/**
 * Adds the nightly reconciliation. `crmLists` are the template's steps that list the CRM's records:
 * [{ type: 'COMPANY' | 'USER' | 'SUBSCRIPTION', node, records(items) }], `records` turning the
 * JavaScript of that step's items into the JavaScript of a list of { id (AppDirect id), removed }.
 */
export function addReconcile({ nodes, link, idPrefix, idSuffix, origin: [x, y], crmLists }) {
	const r = RECONCILE_STEPS;
	const uid = (n) => `${idPrefix}-07${String(n).padStart(2, '0')}${idSuffix}${String(70 + n).padStart(2, '0')}`;
	const chain = [
		...RECONCILE_LISTS.map(([resourceType, name, sinceOnly], index) => {
			const node = listNode({ id: uid(3 + index), name, resourceType, position: [x + 440 + 220 * index, y] });
			if (sinceOnly) node.parameters.filters = { modifiedSince: `={{ $('${r.since}').first().json.since }}` };
			return node;
		}),
		...crmLists.map((list, index) => ({ ...list.node, position: [x + 1540 + 220 * index, y], executeOnce: true, alwaysOutputData: true })),
	];
	const listed = (name) => `$('${name}').all().filter((item) => item.json.resourceUrl)`;
	nodes.push(
		{ id: uid(1), name: r.nightly, type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [x, y], parameters: { rule: { interval: [{ field: 'days', triggerAtHour: 3 }] } } },
		{
			id: uid(2),
			name: r.since,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [x + 220, y],
			parameters: {
				jsCode: [
					'// When the last successful reconciliation started (kept by n8n for the published workflow); none yet: everything.',
					"const memory = $getWorkflowStaticData('global');",
					"return [{ json: { since: memory.lastReconciledAt ?? '', startedAt: new Date().toISOString() } }];",
				].join('\n'),
			},
		},
		...chain,
		{
			id: uid(12),
			name: r.decide,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [x + 1540 + 220 * crmLists.length, y],
			parameters: {
				jsCode: [
					`const startedAt = $('${r.since}').first().json.startedAt;`,
					'// To write: every company (AppDirect cannot list companies by change), the users and subscriptions changed since the last run.',
					`const changed = [...${listed('List all companies')}, ...${listed('List users changed since')}, ...${listed('List subscriptions changed since')}]`,
					"\t.map((item) => ({ json: { ...item.json, event: 'reconcile', action: 'CHANGED', occurredAt: item.json.fetchedAt } }));",
					'// To mark removed: records the CRM holds, not marked yet, whose AppDirect id AppDirect no longer lists.',
					'const listedIds = {',
					...[['COMPANY', 'List all companies'], ['USER', 'List all users'], ['SUBSCRIPTION', 'List all subscriptions']].map(
						([type, name]) => `\t${type}: new Set(${listed(name)}.map((item) => item.json.resourceId)),`,
					),
					'};',
					'const inCrm = [',
					...crmLists.map((list) => `\t['${list.type}', ${list.records(`$('${list.node.name}').all()`)}],`),
					'];',
					'const gone = [];',
					'for (const [type, records] of inCrm) {',
					'\tfor (const record of records) {',
					"\t\tif (record.id && !record.removed && !listedIds[type].has(record.id)) gone.push({ json: { resourceType: type, resourceId: record.id, action: 'REMOVED', event: 'reconcile', occurredAt: startedAt } });",
					'\t}',
					'}',
					'return [...changed, ...gone];',
				].join('\n'),
			},
		},
		...loopNodes({ uid: (n) => uid(13 + n), each: r.each, sync: r.sync, position: [x + 1760 + 220 * crmLists.length, y] }),
		{
			id: uid(15),
			name: r.remember,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [x + 2200 + 220 * crmLists.length, y - 100],
			executeOnce: true,
			parameters: {
				jsCode: [
					'// Only after every resource went through: a failed run is read again from the same moment next night.',
					"const memory = $getWorkflowStaticData('global');",
					`memory.lastReconciledAt = $('${r.since}').first().json.startedAt;`,
					'return [{ json: { reconciledFrom: memory.lastReconciledAt } }];',
				].join('\n'),
			},
		},
		sticky({
			id: uid(16),
			name: 'About the reconciliation',
			position: [x - 40, y - 280],
			width: 2400,
			height: 240,
			content: [
				'## Every night: catch what a missed notification left behind',
				`Lists every company, the users and subscriptions changed since the last run, and the records in the CRM. Each changed resource goes through the same steps as a notification; a record whose AppDirect id AppDirect no longer lists is marked removed. *${r.remember}* keeps the start of a successful run for the next one.`,
			].join('\n'),
		}),
	);
	link(r.nightly, r.since);
	const names = [r.since, ...chain.map((node) => node.name), r.decide];
	names.slice(1).forEach((name, index) => link(names[index], name));
	link(r.decide, r.each);
	link(r.each, r.sync, 1);
	link(r.sync, r.each);
	link(r.each, r.remember, 0);
}
