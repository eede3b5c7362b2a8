// Hostile input and load in a real n8n, at sizes that fit the test suite (`npm run reliability`
// runs them at full size): the generated corpus of bad requests interleaved with valid
// notifications, then mixed notifications through the AppDirect delivery simulator in both
// answer modes, every execution record accounted for, and the token looked for everywhere.
import { randomBytes } from 'crypto';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';

jest.setTimeout(300_000);

const LOAD = { count: 120, concurrency: 16 };
// A small size limit keeps the oversized request small; the README's 16 MiB default is
// tested in test/e2e/trigger.test.cts.
const PAYLOAD_LIMIT_MIB = 2;

const TOKEN = `hostile-${randomBytes(18).toString('hex')}`;

let n8n: N8nInstance & { pid: number };
let scenarios: any;
let corpusModule: any;
let workflows: any;
const built: Record<string, any> = {};
const answers: string[] = [];

beforeAll(async () => {
	scenarios = await importScript('scripts/reliability/scenarios.mjs');
	corpusModule = await importScript('scripts/reliability/corpus.mjs');
	workflows = await importScript('scripts/reliability/workflows.mjs');
	for (const mode of ['immediately', 'whenFinished']) {
		const suffix = mode === 'immediately' ? 'Imm' : 'Fin';
		// Both item options on, so that the secrets check covers headers and raw notifications too.
		built[`hostile-${mode}`] = workflows.reliabilityWorkflow({ key: `hostile${suffix}`, respond: mode, options: { includeRawNotification: true, includeHeaders: true } });
		built[`load-${mode}`] = workflows.reliabilityWorkflow({ key: `load${suffix}`, respond: mode });
	}
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: Object.values(built),
		publish: false,
		// Debug level: the secrets check then covers everything n8n logs.
		logLevel: 'debug',
		env: { N8N_LOG_FORMAT: 'json', N8N_PAYLOAD_SIZE_MAX: String(PAYLOAD_LIMIT_MIB) },
	})) as N8nInstance & { pid: number };
	await workflows.publishWithToken(n8n, Object.values(built), TOKEN);
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
});

const events = () => workflows.catalogEvents().map((event: { name: string }) => event.name);
const target = (key: string) => workflows.targetOf(n8n, built[key]);

describe('hostile input: the generated corpus, interleaved with valid notifications', () => {
	let cases: any[];
	let run: any;

	beforeAll(async () => {
		cases = corpusModule.hostileCorpus({ token: TOKEN, events: workflows.catalogEvents(), seed: 6, payloadLimitMiB: PAYLOAD_LIMIT_MIB });
		run = await scenarios.runHostile({
			n8n,
			targets: [target('hostile-immediately'), target('hostile-whenFinished')],
			cases,
			answers,
		});
	}, 300_000);

	it('holds at least 300 bad requests of every kind the issue lists, and valid ones of every event and spelling', () => {
		const { byKind, byGroup } = corpusModule.corpusSummary(cases);
		expect(byKind.refused).toBeGreaterThanOrEqual(300);
		expect(byKind.valid).toBeGreaterThanOrEqual(workflows.catalogEvents().length * 2);
		for (const group of ['truncated JSON', 'envelope field types', 'not an object', 'deep nesting', 'long strings', 'prototype keys', 'invalid UTF-8', 'content types', 'empty bodies', 'size limit', 'methods', 'tokens', 'encodings']) {
			expect(byGroup[group]).toBeGreaterThan(0);
		}
	});

	it('every request gets exactly the answer documented for it', () => {
		expect(run.answerProblems).toEqual([]);
	});

	it('no bad request is answered 2xx, and none starts an execution', () => {
		expect(run.refusedWith2xx).toBe(0);
		expect(run.strays).toEqual([]);
	});

	it('every valid notification (odd spellings, any content type, odd optional fields) starts exactly one execution, on its event\'s output', () => {
		expect(run.executionsExpected).toBeGreaterThanOrEqual(run.valid);
		expect(run.executionProblems).toEqual([]);
	});

	it('n8n is still up and healthy', () => {
		expect(run.healthy).toBe(true);
	});
});

describe('load: mixed notifications of every catalog event through the delivery simulator', () => {
	const runs: Record<string, any> = {};

	beforeAll(async () => {
		for (const mode of ['immediately', 'whenFinished']) {
			runs[mode] = await scenarios.runLoad({
				n8n,
				target: target(`load-${mode}`),
				token: TOKEN,
				events: events(),
				count: LOAD.count,
				concurrency: LOAD.concurrency,
				answers,
			});
		}
		console.log(JSON.stringify(Object.values(runs).map((r: any) => ({ mode: r.mode, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rss: [r.rssBeforeMiB, r.rssAfterMiB], ...r.figures, samples: undefined }))));
	}, 300_000);

	it.each(['immediately', 'whenFinished'])('"%s": every acknowledged notification has exactly one execution, its item on the right output', (mode) => {
		expect(runs[mode].figures).toMatchObject({
			sent: LOAD.count,
			acknowledged: LOAD.count,
			processed: LOAD.count,
			lost: 0,
			duplicated: 0,
			wrongOutput: 0,
			unknown: 0,
			executions: LOAD.count,
			statuses: { success: LOAD.count },
		});
		expect(runs[mode].quietTimedOut).toBe(false);
		expect(runs[mode].healthy).toBe(true);
	});
});

describe('the token (after everything above)', () => {
	it('is in no answer, no line of n8n\'s log and no execution record', async () => {
		const found = await scenarios.findSecret({ n8n, secret: TOKEN, workflowIds: Object.values(built).map((workflow) => workflow.id), answers });
		expect(found.answersChecked).toBeGreaterThan(700);
		expect(found.executionPages).toBeGreaterThanOrEqual(4);
		expect(found).toMatchObject({ answersWithSecret: 0, logHasSecret: false, executionPagesWithSecret: 0 });
	});
});
