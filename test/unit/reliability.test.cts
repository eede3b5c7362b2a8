// The pure part of the reliability runs: what the hostile corpus expects (the accounting is
// test/unit/accounting.test.cts). The runs themselves are in test/reliability/ (a real n8n).
import { EVENTS } from '../../nodes/AppDirect/shared/catalog';
import { normaliseResourceType, parseNotification } from '../../nodes/AppDirect/trigger/parse';
import { importScript } from '../helpers/runtime.cjs';

let corpus: any;

beforeAll(async () => {
	corpus = await importScript('scripts/reliability/corpus.mjs');
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
