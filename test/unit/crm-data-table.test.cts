// The Data Table CRM templates as files: every workflow writes through the one upsert, the upsert
// routes each item to its table and runs claim, fill and update in that order, its column
// expressions give the same row for a notification and a listed resource, and the README lists
// the columns the templates write.
import { readFileSync } from 'fs';
import { join } from 'path';
import { importScript, repoRoot } from '../helpers/runtime.cjs';

let examples: any;
const file = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'examples', name), 'utf8'));

beforeAll(async () => {
	examples = await importScript('scripts/demo/examples/data-table.mjs');
});

/** The JavaScript inside `={{ … }}`, as a function of `$json` (the expressions use nothing else). */
function evaluate(expression: string, json: Record<string, unknown>): unknown {
	const code = /^=\{\{ ([\s\S]*) \}\}$/.exec(expression)?.[1];
	if (code === undefined) return expression;
	return new Function('$json', `return (${code});`)(json);
}

const node = (workflow: any, name: string) => workflow.nodes.find((candidate: any) => candidate.name === name);
const targets = (workflow: any, name: string, output = 0) => (workflow.connections[name]?.main[output] ?? []).map((link: any) => link.node);

describe('the Data Table CRM templates', () => {
	test.each([
		['appdirect-crm-sync.json', 1],
		['appdirect-crm-import.json', 3],
		['appdirect-crm-reconcile.json', 6],
	])('%s writes only through the upsert workflow (%i Execute Workflow steps)', (name, count) => {
		const workflow = file(name);
		const calls = workflow.nodes.filter((candidate: any) => candidate.type === 'n8n-nodes-base.executeWorkflow');
		expect(calls).toHaveLength(count);
		for (const call of calls) {
			expect(call.parameters.workflowId.value).toBe(examples.CRM_UPSERT.id);
			expect(call.parameters.options.waitForSubWorkflow).toBe(true);
		}
		expect(workflow.nodes.filter((candidate: any) => candidate.type === 'n8n-nodes-base.dataTable' && candidate.parameters.operation !== 'get' && candidate.name !== 'Remember this run')).toEqual([]);
	});

	test('the files are what the builders write', () => {
		expect(file(examples.CRM_UPSERT.file)).toEqual(examples.crmUpsertWorkflow());
		expect(file(examples.CRM_IMPORT.file)).toEqual(examples.crmImportWorkflow());
		expect(file(examples.CRM_RECONCILE.file)).toEqual(examples.crmReconcileWorkflow());
	});
});

describe('the upsert', () => {
	let upsert: any;
	beforeAll(() => {
		upsert = file(examples.CRM_UPSERT.file);
	});

	test.each([
		[{ resourceType: 'COMPANY', action: 'ADDED' }, 'companies row'],
		[{ resourceType: 'COMPANY', action: 'REMOVED' }, 'companies removal row'],
		[{ resourceType: 'USER', exists: true }, 'contacts row'],
		[{ resourceType: 'USER', action: 'CHANGED', exists: false }, 'contacts removal row'],
		[{ resourceType: 'SUBSCRIPTION', exists: true }, 'subscriptions row'],
		[{ resourceType: 'SUBSCRIPTION', action: 'REMOVED' }, 'subscriptions removal row'],
		[{ resourceType: 'ORDER', action: 'ADDED' }, 'Not a company, user or subscription'],
		[{}, 'Not a company, user or subscription'],
	])('routes %j to "%s"', (item, target) => {
		const route = node(upsert, 'Which table?');
		const output = evaluate(route.parameters.output, item) as number;
		expect(output).toBeLessThan(route.parameters.numberOutputs);
		expect(targets(upsert, 'Which table?', output)).toEqual([target]);
	});

	test('each row step claims a new id, then fills, then updates if newer, drawn top to bottom (the order n8n runs them)', () => {
		for (const row of upsert.nodes.filter((candidate: any) => / row$/.test(candidate.name) && candidate.type === 'n8n-nodes-base.set')) {
			const [isNew, ...updates] = targets(upsert, row.name).map((name: string) => node(upsert, name));
			// Only an id without a row is claimed: an existing row is not touched (not even its updatedAt).
			expect(isNew.parameters.operation).toBe('rowNotExists');
			expect(isNew.parameters.filters.conditions.map((c: any) => c.keyName)).toEqual(['appdirectId']);
			const steps = [node(upsert, targets(upsert, isNew.name)[0]), ...updates];
			const heights = [isNew, ...updates].map((step: any) => step.position[1]);
			expect(steps.map((step: any) => [step.parameters.operation, step.parameters.filters.conditions.map((c: any) => `${c.keyName} ${c.condition}`)])).toEqual([
				['upsert', ['appdirectId eq']],
				['update', ['appdirectId eq', 'lastEventAt isEmpty']],
				['update', ['appdirectId eq', 'lastEventAt lt']],
			]);
			expect([...heights].sort((a, b) => a - b)).toEqual(heights);
			// The claim writes the key only, so it never overwrites newer content.
			expect(Object.keys(steps[0].parameters.columns.value)).toEqual(['appdirectId']);
		}
	});

	const row = (name: string, item: Record<string, unknown>) =>
		Object.fromEntries(node(upsert, name).parameters.assignments.assignments.map((a: any) => [a.name, typeof a.value === 'string' ? evaluate(a.value, item) : a.value]));

	test('a notification and a listed resource give the same columns; the time is occurredAt, or fetchedAt for a listed one', () => {
		const user = { resourceType: 'USER', resourceId: 'u1', email: 'a@b.example', firstName: 'Ada', lastName: 'B', locale: 'en_US' };
		const notified = row('contacts row', { ...user, status: 'INACTIVE', event: 'user.changed', notificationId: 'n1', occurredAt: '2026-01-01T00:00:00.000Z', fetchedAt: '2026-01-02T00:00:00.000Z' });
		const listed = row('contacts row', { ...user, status: null, content: { activated: false }, fetchedAt: '2026-01-03T00:00:00.000Z' });
		expect(notified).toEqual({ appdirectId: 'u1', email: 'a@b.example', firstName: 'Ada', lastName: 'B', status: 'INACTIVE', locale: 'en_US', removed: false, lastEvent: 'user.changed', lastEventAt: '2026-01-01T00:00:00.000Z', lastNotificationId: 'n1' });
		expect(listed).toEqual({ ...notified, lastEvent: 'user.listed', lastEventAt: '2026-01-03T00:00:00.000Z', lastNotificationId: null });
		expect(row('contacts row', { ...user, status: null, content: {} }).status).toBeNull();
	});

	test('a removal writes the key and the tracking columns only, removed: true', () => {
		expect(row('subscriptions removal row', { resourceType: 'SUBSCRIPTION', resourceId: 's1', exists: false, fetchedAt: '2026-01-03T00:00:00.000Z' })).toEqual({
			appdirectId: 's1',
			removed: true,
			lastEvent: 'subscription.unlisted',
			lastEventAt: '2026-01-03T00:00:00.000Z',
			lastNotificationId: null,
		});
	});
});

describe('examples/README.md', () => {
	test('lists each table with the columns and types the templates write', () => {
		const readme = readFileSync(join(repoRoot, 'examples', 'README.md'), 'utf8');
		for (const table of [...Object.values<any>(examples.TABLES), examples.RECONCILE_RUNS_TABLE]) {
			const line = readme.split('\n').find((text) => text.startsWith(`| \`${table.name}\``));
			expect(line).toBeDefined();
			// "`a`, `b` (strings), `c` (boolean)": each name takes the type written after it.
			const listed: Array<[string, string]> = [];
			let pending: string[] = [];
			for (const match of line!.split('|')[2].matchAll(/`([^`]+)`|\((\w+)\)/g)) {
				if (match[1]) pending.push(match[1]);
				else {
					const type = match[2].replace(/s$/, '');
					listed.push(...pending.map((name): [string, string] => [name, type]));
					pending = [];
				}
			}
			expect(listed).toEqual(table.columns.map((column: any) => [column.name, column.type]));
		}
	});
});
