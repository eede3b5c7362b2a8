// The pure parts of the reliability runs: how executions are accounted for, and what the hostile
// corpus expects. The runs themselves are in test/reliability/ (a real n8n).
import { EVENTS } from '../../nodes/AppDirect/shared/catalog';
import { normaliseResourceType, parseNotification } from '../../nodes/AppDirect/trigger/parse';
import { importScript } from '../helpers/runtime.cjs';

let accounting: any;
let corpus: any;

beforeAll(async () => {
	accounting = await importScript('scripts/reliability/accounting.mjs');
	corpus = await importScript('scripts/reliability/corpus.mjs');
});

const TRIGGER = 'AppDirect Trigger';

/** An execution record as n8n's public API returns it, with the trigger's output. */
function execution(id: number, status: string, outputs: Array<Array<Record<string, unknown>>>, { ran = true } = {}) {
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

const on = (output: number, count: number, notificationId: string) => Array.from({ length: count }, (_, index) => (index === output ? [{ notificationId }] : []));

describe('accounting', () => {
	it('reads the trigger output of an execution, or, when n8n died before the trigger step ran, its stack', () => {
		const ran = accounting.summariseExecution(execution(1, 'success', on(2, 3, 'a')), TRIGGER);
		expect(ran.items).toEqual([{ output: 2, event: null, notificationId: 'a', caseId: null }]);
		const crashed = accounting.summariseExecution(execution(2, 'crashed', on(1, 3, 'b'), { ran: false }), TRIGGER);
		expect(crashed.items).toEqual([{ output: 1, event: null, notificationId: 'b', caseId: null }]);
	});

	it('counts lost, duplicated, wrong-output and unknown executions', () => {
		const summaries = [
			execution(1, 'success', on(0, 2, 'ok')),
			execution(2, 'success', on(1, 2, 'twice')),
			execution(3, 'success', on(1, 2, 'twice')),
			execution(4, 'crashed', on(0, 2, 'crashed')),
			execution(5, 'success', on(0, 2, 'wrong-output')),
			execution(6, 'success', on(0, 2, 'nobody-sent-this')),
			execution(7, 'success', on(1, 2, 'not-acknowledged')),
		].map((record) => accounting.summariseExecution(record, TRIGGER));
		const figures = accounting.account({
			deliveries: [
				{ id: 'ok', acknowledged: true, expectedOutput: 0 },
				{ id: 'twice', acknowledged: true, expectedOutput: 1 },
				{ id: 'crashed', acknowledged: true, expectedOutput: 0 },
				{ id: 'never-ran', acknowledged: true, expectedOutput: 0 },
				{ id: 'wrong-output', acknowledged: true, expectedOutput: 1 },
				{ id: 'not-acknowledged', acknowledged: false, expectedOutput: 1 },
			],
			executions: summaries,
		});
		expect(figures).toMatchObject({
			sent: 6,
			acknowledged: 5,
			notAcknowledged: 1,
			processed: 4,
			lost: 2,
			lostWithFailedExecution: 1,
			duplicated: 1,
			extraExecutions: 1,
			processedNotAcknowledged: 1,
			wrongOutput: 1,
			unknown: 1,
			executions: 7,
			statuses: { success: 6, crashed: 1 },
		});
		expect(figures.samples.lost.sort()).toEqual(['crashed', 'never-ran']);
		expect(figures.samples.duplicated).toEqual(['twice']);
	});

	it('counts an execution with two items as a wrong output', () => {
		const both = execution(1, 'success', [[{ notificationId: 'x' }], [{ notificationId: 'x' }]]);
		const figures = accounting.account({
			deliveries: [{ id: 'x', acknowledged: true, expectedOutput: 0 }],
			executions: [accounting.summariseExecution(both, TRIGGER)],
		});
		expect(figures.wrongOutput).toBe(1);
	});
});

describe('hostile corpus', () => {
	const cases = () => corpus.hostileCorpus({ token: 'unit-token-0123456789', events: EVENTS, payloadLimitMiB: 1 });

	it('is the same for the same seed, and holds at least 300 bad requests', () => {
		const first = cases();
		expect(first.map((c: any) => c.name)).toEqual(cases().map((c: any) => c.name));
		expect(corpus.corpusSummary(first).byKind.refused).toBeGreaterThanOrEqual(300);
	});

	it.each([...new Set(EVENTS.map((event) => event.resource.type))])('every odd spelling of %s is, as the README promises, the same type', (type) => {
		for (const spelling of corpus.oddSpellings(type)) expect(normaliseResourceType(spelling)).toBe(type);
	});

	it("agrees with the node's own parser about every refusal it attributes to the node", () => {
		for (const testCase of cases()) {
			if (testCase.kind !== 'refused' || testCase.answer !== 'node-400' || !testCase.headers.some(([name]: string[]) => name === 'x-appdirect-webhook-token')) continue;
			// Bodies n8n parses as a form or multipart never reach the parser as text.
			if (testCase.headers.some(([name, value]: string[]) => name === 'content-type' && /form-data|urlencoded/.test(value))) continue;
			const text = testCase.body.toString('utf8');
			const result = parseNotification(text);
			expect({ name: testCase.name, problem: result.ok ? 'accepted' : result.problem }).toEqual({ name: testCase.name, problem: testCase.problem });
		}
	});

	it('judges answers as documented', () => {
		const refusal = { kind: 'refused', answer: 'node-400', problem: 'The request body is empty', method: 'POST' };
		const body = { error: 'Bad Request', message: 'The request body is empty. This URL expects an AppDirect webhook notification: a JSON object like the one in "expected".', expected: { resource: {} } };
		expect(corpus.checkAnswer(refusal, { status: 400, text: JSON.stringify(body), json: body })).toBeNull();
		expect(corpus.checkAnswer(refusal, { status: 200, text: '{"received":true}', json: { received: true } })).toMatch(/expected 400/);
		expect(corpus.checkAnswer(refusal, { status: null, text: '', timedOut: true, error: 'timeout' })).toBe('no answer in time');
		const valid = { kind: 'valid', answer: 'accepted' };
		expect(corpus.checkAnswer(valid, { status: 200, text: '' }, { mode: 'whenFinished' })).toBeNull();
		expect(corpus.checkAnswer(valid, { status: 200, text: '' }, { mode: 'immediately' })).not.toBeNull();
	});
});
