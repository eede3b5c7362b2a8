// The workflows `npm run bench:import` runs in n8n: the import (Manual Trigger → Get Many of each
// type → a sub-workflow that writes into the CRM's Data Tables) and, as the baseline, the same
// listing alone. Columns and tables are the CRM sync's (scripts/demo/examples/data-table.mjs),
// whose own import template (crmImportWorkflow, with its shared upsert) is the `template` run.
import { API_CREDENTIAL, ACTION_TYPE } from '../../scripts/demo/examples/nodes.mjs';
import { TABLES } from '../../scripts/demo/examples/data-table.mjs';

export const TRIGGER = 'Start import';
export const LISTING_ID = 'benchImportList1';

/** How rows are written: n8n's upsert, one item at a time; or in bulk (new rows in one insert, known rows updated if older). */
export const WRITES = ['upsert', 'bulk'];
const WRITE_KEYS = { upsert: 'Upsr', bulk: 'Bulk' };
/** Ids of the import workflow (per way of writing, with or without overlap) and of its write sub-workflow. */
export const importId = (write, overlap) => `benchImp${WRITE_KEYS[write]}${overlap ? 'Ovl' : 'Seq'}0`;
export const writeId = (write) => `benchWrite${WRITE_KEYS[write]}00`;

/** What is imported, in this order: the largest lists first, so that their writes can overlap the later lists. */
export const LISTS = [
	{ type: 'SUBSCRIPTION', table: 'subscriptions', label: 'subscriptions' },
	{ type: 'USER', table: 'contacts', label: 'users' },
	{ type: 'COMPANY', table: 'companies', label: 'companies' },
];

const node = (id, name, type, typeVersion, position, parameters, extra = {}) => ({ id: `b1000000-0000-4000-8000-0000000${id}`, name, type, typeVersion, position, parameters, ...extra });
const to = (name, index = 0) => ({ node: name, type: 'main', index });
const connect = (from, name) => ({ [from]: { main: [[to(name)]] } });

const manualTrigger = node('00001', TRIGGER, 'n8n-nodes-base.manualTrigger', 1, [0, 200], {});

/** Get Many, Return All, of one list. One branch per list, top to bottom: n8n (execution order v1) runs them in that order. */
function listNode(list, index) {
	return node(`0001${index}`, `List ${list.label}`, ACTION_TYPE, 1, [240, index * 200], { operation: 'getAll', resourceType: list.type, returnAll: true, filters: {} }, {
		credentials: { [API_CREDENTIAL.type]: { id: API_CREDENTIAL.id, name: API_CREDENTIAL.name } },
	});
}

/** Manual Trigger → List subscriptions, List users, List companies: what the import reads, nothing written. */
export function listingWorkflow() {
	const lists = LISTS.map(listNode);
	return {
		id: LISTING_ID,
		name: 'Bench: list only',
		nodes: [manualTrigger, ...lists],
		connections: { [TRIGGER]: { main: [lists.map((list) => to(list.name))] } },
		settings: { executionOrder: 'v1' },
	};
}

// ---- the write sub-workflow ----------------------------------------------------------------

/** A listed item's column value: the expression the CRM sync's own upsert writes for it. */
// `removed` is what the upsert derives for a listed resource: it exists.
const importValue = (column) => (column.name === 'removed' ? '={{ $json.exists === false }}' : `={{ ${column.read('$json')} }}`);

const mapperType = (type) => (type === 'date' ? 'dateTime' : type);
const byId = { keyName: 'appdirectId', condition: 'eq', keyValue: '={{ $json.resourceId }}' };
// As the live sync's "Update … if newer": only a row last written before this listing changes.
const olderRow = { keyName: 'lastEventAt', condition: 'lt', keyValue: '={{ $json.fetchedAt }}' };

/**
 * One Data Table step on `table`. `operation`: 'upsert' (n8n's: update the row with this id, else
 * insert it; one item at a time), 'get' (every row), 'insert' (all items in one statement),
 * 'update' (the row of that id, if older than the listing).
 */
function dataTableNode(table, operation, id, name, position) {
	const columns = table.columns;
	const select = {
		upsert: { matchType: 'allConditions', filters: { conditions: [byId] } },
		update: { matchType: 'allConditions', filters: { conditions: [byId, olderRow] } },
		get: { matchType: 'allConditions', filters: {}, returnAll: true },
		insert: {},
	}[operation];
	const values =
		operation === 'get'
			? {}
			: {
					columns: {
						mappingMode: 'defineBelow',
						value: Object.fromEntries(columns.map((column) => [column.name, importValue(column)])),
						matchingColumns: [],
						schema: columns.map((column) => ({
							id: column.name,
							displayName: column.name,
							required: false,
							defaultMatch: false,
							display: true,
							type: mapperType(column.type),
							readOnly: false,
							removed: false,
						})),
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
				};
	return node(id, name, 'n8n-nodes-base.dataTable', 1.1, position, {
		resource: 'row',
		operation,
		dataTableId: { __rl: true, mode: 'name', value: table.name },
		...select,
		...values,
		// n8n's bulk insert then returns a count instead of every row.
		options: operation === 'insert' ? { optimizeBulk: true } : {},
	});
}

/** Merge, combine by field: the listed items (input 1) whose resourceId is (keepMatches) or is not (keepNonMatches) a row's appdirectId (input 2). */
function mergeNode(id, name, position, joinMode) {
	return node(id, name, 'n8n-nodes-base.merge', 3.2, position, {
		mode: 'combine',
		combineBy: 'combineByFields',
		advanced: true,
		mergeByFields: { values: [{ field1: 'resourceId', field2: 'appdirectId' }] },
		joinMode,
		outputDataFrom: 'input1',
		options: {},
	});
}

/**
 * Sub-workflow: Execute Workflow Trigger → Switch on resourceType → per table either n8n's upsert
 * (`'upsert'`: one item at a time) or (`'bulk'`) the table read once, then "New …" → "Add …" (one
 * insert for every new row) beside "Known …" → "Update … if older" (rows already there, changed
 * only when last written before this listing, as the live sync's "Update … if newer").
 */
export function writeWorkflow(write) {
	const trigger = node('00030', 'When called by the import', 'n8n-nodes-base.executeWorkflowTrigger', 1.1, [0, 400], { inputSource: 'passthrough' });
	const rules = LISTS.map((list) => ({
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [{ id: `rule-${list.type}`, leftValue: '={{ $json.resourceType }}', rightValue: list.type, operator: { type: 'string', operation: 'equals' } }],
			combinator: 'and',
		},
		renameOutput: true,
		outputKey: list.label,
	}));
	const byType = node('00031', 'By type', 'n8n-nodes-base.switch', 3.2, [240, 400], { rules: { values: rules }, options: {} });
	const nodes = [trigger, byType];
	const connections = { ...connect(trigger.name, byType.name), [byType.name]: { main: [] } };
	LISTS.forEach((list, index) => {
		const table = TABLES[list.table];
		const id = (n) => `005${index}${n}`;
		const y = index * 400;
		if (write === 'upsert') {
			const upsert = dataTableNode(table, 'upsert', id(0), `Upsert ${list.label}`, [480, y]);
			nodes.push(upsert);
			connections[byType.name].main.push([to(upsert.name)]);
			return;
		}
		// Which listed resources have a row already: the table read once, matched by id in memory.
		const rows = { ...dataTableNode(table, 'get', id(1), `Rows of ${list.label}`, [480, y]), executeOnce: true };
		const fresh = mergeNode(id(2), `New ${list.label}`, [720, y + 100], 'keepNonMatches');
		const known = mergeNode(id(3), `Known ${list.label}`, [720, y + 250], 'keepMatches');
		const add = dataTableNode(table, 'insert', id(4), `Add ${list.label}`, [960, y + 100]);
		const update = dataTableNode(table, 'update', id(5), `Update ${list.label} if older`, [960, y + 250]);
		nodes.push(rows, fresh, known, add, update);
		connections[byType.name].main.push([to(rows.name), to(fresh.name), to(known.name)]);
		connections[rows.name] = { main: [[to(fresh.name, 1), to(known.name, 1)]] };
		Object.assign(connections, connect(fresh.name, add.name), connect(known.name, update.name));
	});
	return { id: writeId(write), name: `Bench: write into the CRM (${write})`, nodes, connections, settings: { executionOrder: 'v1', callerPolicy: 'workflowsFromSameOwner' } };
}

/**
 * The import: Manual Trigger → per list (one branch each) Get Many → Execute Workflow (the write).
 * `overlap`: a list's write runs as its own execution while the next list is read (Execute Workflow
 * does not wait for it, except after the last list); without it each write ends before the next list starts.
 */
export function importWorkflow({ write, overlap }) {
	const nodes = [manualTrigger];
	const connections = { [TRIGGER]: { main: [[]] } };
	LISTS.forEach((list, index) => {
		const lister = listNode(list, index);
		const caller = node(`0004${index}`, `Write ${list.label}`, 'n8n-nodes-base.executeWorkflow', 1.2, [480, index * 200], {
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: writeId(write) },
			mode: 'once',
			workflowInputs: { mappingMode: 'defineBelow', value: {}, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: true },
			options: { waitForSubWorkflow: !overlap || index === LISTS.length - 1 },
		});
		nodes.push(lister, caller);
		connections[TRIGGER].main[0].push(to(lister.name));
		Object.assign(connections, connect(lister.name, caller.name));
	});
	return { id: importId(write, overlap), name: `Bench: import (${write}${overlap ? ', writes overlap the next list' : ''})`, nodes, connections, settings: { executionOrder: 'v1' } };
}
