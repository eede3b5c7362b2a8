// Accounting of lost and duplicated notifications: what AppDirect was told against what n8n
// recorded. Pure logic; the queue-mode tests feed it real records from PostgreSQL.
import { importScript } from '../helpers/runtime.cjs';

let accounting: any;

beforeAll(async () => {
	accounting = await importScript('scripts/sender/accounting.mjs');
});

const record = (id: string, outcomes: string[]) => ({
	id,
	delivered: outcomes.at(-1) === 'delivered',
	attempts: outcomes.map((outcome) => ({ outcome })),
});
const execution = (id: number, notificationId: string | undefined, status = 'success') => ({ id, notificationId, status });

it('counts a notification acknowledged and run once as processed', () => {
	const report = accounting.accountDeliveries([record('a', ['delivered'])], [execution(1, 'a')]);
	expect(report).toMatchObject({ sent: 1, acknowledged: 1, processed: 1, lost: [], duplicated: [], retried: 0, attempts: 1 });
});

it('calls an acknowledged notification without a successful execution lost, whatever else ran', () => {
	const report = accounting.accountDeliveries(
		[record('a', ['delivered']), record('b', ['delivered'])],
		[execution(1, 'a', 'crashed'), execution(2, undefined, 'running'), execution(3, 'b')],
	);
	expect(report.lost).toEqual(['a']);
	expect(report.processed).toBe(1);
	expect(report.otherExecutions).toEqual({ crashed: 1, running: 1 });
});

it('calls two successful executions of one notification duplicated, also after a retry', () => {
	const report = accounting.accountDeliveries(
		[record('a', ['timeout', 'delivered'])],
		[execution(1, 'a'), execution(7, 'a')],
	);
	expect(report.duplicated).toEqual([{ id: 'a', executions: [1, 7] }]);
	expect(report.processed).toBe(0);
	expect({ retried: report.retried, attempts: report.attempts }).toEqual({ retried: 1, attempts: 2 });
});

it('keeps apart what AppDirect gave up on, and executions of notifications it never sent', () => {
	const report = accounting.accountDeliveries(
		[record('a', ['failed', 'failed']), record('b', ['refused'])],
		[execution(1, 'a'), execution(2, 'zzz')],
	);
	expect(report).toMatchObject({ acknowledged: 0, notAcknowledged: 2, lost: [], processedUnacknowledged: ['a'], unknownExecutions: ['zzz'] });
	expect(accounting.describeAccount(report)).toBe(
		'2 sent, 0 acknowledged, 0 lost, 0 duplicated, 1 retried (3 attempts), 1 processed but never acknowledged',
	);
});
