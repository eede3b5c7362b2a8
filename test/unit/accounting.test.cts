// Accounting of lost, duplicated and misrouted notifications: what AppDirect was told against what
// n8n recorded. Pure logic; the reliability runs feed it execution records from n8n's public API,
// the queue-mode tests from PostgreSQL.
import { importScript } from '../helpers/runtime.cjs';

let accounting: any;

beforeAll(async () => {
	accounting = await importScript('scripts/send/accounting.mjs');
});

const TRIGGER = 'AppDirect Trigger';

/** A delivery simulator record: one attempt per outcome, delivered when the last one was. */
const record = (id: string, outcomes: string[], event?: string) => ({
	id,
	event,
	delivered: outcomes.at(-1) === 'delivered',
	attempts: outcomes.map((outcome) => ({ outcome })),
});

/** An execution summary carrying one item per notification id, on `output`. */
const execution = (id: number, notificationIds: Array<string | null>, status = 'success', output = 0) => ({
	id,
	status,
	items: notificationIds.map((notificationId) => ({ output, notificationId })),
});

/** An execution record as n8n's public API returns it, with the trigger's output. */
function apiRecord(id: number, status: string, outputs: Array<Array<Record<string, unknown>>>, { ran = true } = {}) {
	const main = outputs.map((items) => items.map((json) => ({ json })));
	return {
		id: String(id),
		status,
		mode: 'webhook',
		data: ran
			? { resultData: { runData: { [TRIGGER]: [{ data: { main } }] } } }
			: { resultData: { runData: {} }, executionData: { nodeExecutionStack: [{ node: { name: TRIGGER }, data: { main } }] } },
	};
}

const on = (output: number, count: number, notificationId: string) =>
	Array.from({ length: count }, (_, index) => (index === output ? [{ notificationId }] : []));

it('reads the trigger output of an execution, or, when n8n died before the trigger step ran, its stack', () => {
	const ran = accounting.summariseExecution(apiRecord(1, 'success', on(2, 3, 'a')), TRIGGER);
	expect(ran.items).toEqual([{ output: 2, event: null, notificationId: 'a' }]);
	const crashed = accounting.summariseExecution(apiRecord(2, 'crashed', on(1, 3, 'b'), { ran: false }), TRIGGER);
	expect(crashed.items).toEqual([{ output: 1, event: null, notificationId: 'b' }]);
	const picked = accounting.executionItems(apiRecord(3, 'success', [[{ notificationId: 'c', notification: { mark: 7 } }]]).data, TRIGGER, (json: any) => ({
		mark: json.notification.mark,
	}));
	expect(picked).toEqual([{ output: 0, event: null, notificationId: 'c', mark: 7 }]);
});

it('counts a notification acknowledged and run once as processed', () => {
	const report = accounting.accountDeliveries([record('a', ['delivered'])], [execution(1, ['a'])]);
	expect(report).toMatchObject({ sent: 1, acknowledged: 1, processed: 1, lost: 0, duplicated: 0, retried: 0, attempts: 1 });
	expect(report.ids).toEqual({ lost: [], duplicated: [], processedNotAcknowledged: [], wrongOutput: [], unknown: [] });
});

it('calls an acknowledged notification without a successful execution lost, whatever else ran', () => {
	const report = accounting.accountDeliveries(
		[record('a', ['delivered']), record('b', ['delivered']), record('c', ['delivered'])],
		[execution(1, ['a'], 'crashed'), execution(2, ['b'])],
	);
	expect(report.ids.lost).toEqual(['a', 'c']);
	expect(report).toMatchObject({ lost: 2, lostWithFailedExecution: 1, processed: 1, statuses: { crashed: 1, success: 1 } });
});

it('calls two successful executions of one notification duplicated, also after a retry', () => {
	const report = accounting.accountDeliveries([record('a', ['timeout', 'delivered'])], [execution(1, ['a']), execution(7, ['a'])]);
	expect(report.ids.duplicated).toEqual([{ id: 'a', executions: [1, 7] }]);
	expect(report).toMatchObject({ duplicated: 1, extraExecutions: 1, processed: 1, lost: 0, retried: 1, attempts: 2 });
});

it('keeps apart what AppDirect gave up on, and executions of notifications it never sent', () => {
	const report = accounting.accountDeliveries(
		[record('a', ['failed', 'failed']), record('b', ['refused'])],
		[execution(1, ['a']), execution(2, ['zzz']), execution(3, [], 'running')],
	);
	expect(report).toMatchObject({ acknowledged: 0, notAcknowledged: 2, lost: 0, processedNotAcknowledged: 1, unknown: 2 });
	expect(report.ids.processedNotAcknowledged).toEqual(['a']);
	expect(report.ids.unknown.map((entry: any) => entry.execution)).toEqual([2, 3]);
	expect(accounting.describeAccount(report)).toBe(
		'2 sent, 0 acknowledged, 0 lost, 0 duplicated, 1 retried (3 attempts), 1 processed but never acknowledged, 2 executions of nothing sent, other executions: 1 running',
	);
});

it('counts a successful execution on the wrong output, or with two items, as a wrong output', () => {
	const expectedOutput = (r: { event: string }) => ({ 'user.added': 0, 'user.removed': 1 })[r.event];
	const report = accounting.accountDeliveries(
		[record('right', ['delivered'], 'user.added'), record('wrong', ['delivered'], 'user.removed'), record('two', ['delivered'], 'user.added')],
		[execution(1, ['right'], 'success', 0), execution(2, ['wrong'], 'success', 0), execution(3, ['two', 'two'], 'success', 0)],
		{ expectedOutput },
	);
	expect(report.wrongOutput).toBe(2);
	expect(report.ids.wrongOutput).toEqual([
		{ execution: 2, items: 1, output: 0, expected: 1 },
		{ execution: 3, items: 2, output: 0, expected: 0 },
	]);
	// Without an expected output only the item count is checked.
	expect(accounting.accountDeliveries([record('wrong', ['delivered'])], [execution(2, ['wrong'], 'success', 5)]).wrongOutput).toBe(0);
});
