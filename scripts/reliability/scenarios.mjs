// The reliability scenarios, each against a running n8n (scripts/n8n/instance.mjs) with
// published workflows (./workflows.mjs): used at small sizes by the test suite and at full size
// by `npm run reliability`. Each returns plain figures; callers decide what they must be.
import { readExecutions, waitForQuiet } from '../n8n/executions-api.mjs';
import { isAlive } from '../services/processes.mjs';
import { accountDeliveries } from '../send/accounting.mjs';
import { createDelivery } from '../send/delivery.mjs';
import { mixedTraffic, subscriptionHistory } from '../send/traffic.mjs';
import { checkAnswer, mayStartExecution } from './corpus.mjs';
import { rawRequest } from './http.mjs';
import { startReadyGate } from './ready-gate.mjs';
import { TRIGGER_NAME } from './workflows.mjs';

/** Whether n8n's processes are alive and it answers its health check. */
export async function isHealthy(n8n) {
	if (!isAlive(n8n.pid)) return false;
	try {
		return (await fetch(`${n8n.baseUrl}/healthz`)).ok;
	} catch {
		return false;
	}
}

const round = (value, digits = 1) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** Output index of each event in a workflow that has one output per selected event. */
export function outputIndexer(events) {
	const index = new Map(events.map((event, position) => [event, position]));
	return (event) => index.get(event);
}

/** The accounting of one run, each notification expected on its event's output. */
function accountFor(records, executions, outputOf) {
	return accountDeliveries(records, executions, { expectedOutput: (record) => outputOf(record.event) });
}

/**
 * Load: `count` mixed notifications (cycling through `events`) at `concurrency` through the
 * delivery simulator, then every execution record read back and accounted for.
 */
export async function runLoad({ n8n, target, token, oauth2, events, count, concurrency, timeScale = 0.001, onAttempt, answers = [], quietTimeoutMs = 600_000 }) {
	const notifications = mixedTraffic(events, count);
	const rssBefore = n8n.rssMiB();
	// oauth2: the client's ID and secret; the simulator fetches its tokens from the target's Access Token URI.
	const delivery = createDelivery({ urls: target.url, token, ...(oauth2 && { oauth2: { tokenUrl: target.tokenUrl, ...oauth2 } }), concurrency, timeScale, onAttempt });
	const started = performance.now();
	const records = await delivery.deliverAll(notifications);
	const sendMs = performance.now() - started;
	const summary = delivery.summary();
	delivery.close();
	for (const attempt of delivery.attempts) answers.push(attempt.answer ?? '');
	const quiet = await waitForQuiet(n8n, target.workflowId, { atLeast: summary.delivered, timeoutMs: quietTimeoutMs });
	const drainedMs = performance.now() - started;
	const rssAfter = n8n.rssMiB();
	const executions = await readExecutions(n8n, target.workflowId, { triggerName: TRIGGER_NAME });
	return {
		mode: target.mode,
		count,
		concurrency,
		sendSeconds: round(sendMs / 1000),
		drainedSeconds: round(drainedMs / 1000),
		perSecond: round(count / (drainedMs / 1000)),
		p50Ms: round(summary.p50Ms),
		p99Ms: round(summary.p99Ms),
		attempts: summary.attempts,
		byOutcome: summary.byOutcome,
		rssBeforeMiB: round(rssBefore, 0),
		rssAfterMiB: round(rssAfter, 0),
		quietTimedOut: quiet.timedOut,
		healthy: await isHealthy(n8n),
		figures: accountFor(records, executions, outputIndexer(events.map(String))),
	};
}

/**
 * Crash: every target gets `count` notifications at once; when `killAfter` of them in all have
 * been acknowledged, n8n is killed with SIGKILL and started again on the same user folder and
 * port. The simulator keeps retrying (time-scaled) until each notification is delivered or
 * given up. Then each target's executions are accounted for.
 */
export async function runCrash({ n8n, targets, token, events, count, concurrency, killAfter, timeScale = 0.0005, restart, readinessGate = false, onAttempt, answers = [], quietTimeoutMs = 300_000 }) {
	// Behind a readiness gate, as a health-checked load balancer would put n8n (./ready-gate.mjs).
	const gate = readinessGate ? await startReadyGate(n8n.baseUrl) : undefined;
	const started = performance.now();
	const at = () => round((performance.now() - started) / 1000, 2);
	const timeline = {};
	let acknowledged = 0;
	let crashed;
	const deliveries = [];
	const crashAndRestart = async () => {
		timeline.killedAtSeconds = at();
		timeline.acknowledgedBeforeKill = Object.fromEntries(targets.map((target, index) => [target.mode, deliveries[index].summary().delivered]));
		await n8n.crash();
		timeline.deadAtSeconds = at();
		await n8n.restart(restart);
		timeline.upAgainAtSeconds = at();
	};
	for (const target of targets) {
		deliveries.push(
			createDelivery({
				urls: gate ? gate.urlFor(target.url) : target.url,
				token,
				concurrency,
				timeScale,
				onAttempt: (attempt) => {
					onAttempt?.({ mode: target.mode, ...attempt });
					if (attempt.outcome === 'delivered' && ++acknowledged >= killAfter && !crashed) crashed = crashAndRestart();
				},
			}),
		);
	}
	const sent = targets.map(() => mixedTraffic(events, count));
	const records = await Promise.all(deliveries.map((delivery, index) => delivery.deliverAll(sent[index])));
	await gate?.close();
	if (!crashed) throw new Error(`runCrash: only ${acknowledged} notifications were acknowledged, fewer than killAfter (${killAfter})`);
	await crashed;
	timeline.lastAnswerAtSeconds = at();
	const indexer = outputIndexer(events);
	const results = [];
	for (const [index, target] of targets.entries()) {
		const summary = deliveries[index].summary();
		deliveries[index].close();
		for (const attempt of deliveries[index].attempts) answers.push(attempt.answer ?? '');
		const quiet = await waitForQuiet(n8n, target.workflowId, { atLeast: 1, timeoutMs: quietTimeoutMs });
		const executions = await readExecutions(n8n, target.workflowId, { triggerName: TRIGGER_NAME });
		results.push({
			mode: target.mode,
			count,
			attempts: summary.attempts,
			byOutcome: summary.byOutcome,
			gaveUp: summary.gaveUp,
			// n8n's "200 n8n is starting up. Please wait": acknowledged without running anything.
			acknowledgedByStartupPage: records[index].filter((record) => record.delivered && /n8n is starting up/.test(record.attempts.at(-1).answer ?? '')).length,
			quietTimedOut: quiet.timedOut,
			figures: accountFor(records[index], executions, indexer),
		});
	}
	return { timeline, killAfter, concurrency, timeScale, readinessGate, refusedByGate: gate?.refused ?? 0, healthy: await isHealthy(n8n), results };
}

/**
 * A downstream step that fails for a while: the CRM answers 500 for `downMs`, then 200, while
 * every target gets `count` notifications. What reached the CRM is counted per notification.
 */
export async function runOutage({ n8n, crm, targets, token, events, count, concurrency, downMs, timeScale = 0.001, onAttempt, answers = [], quietTimeoutMs = 300_000 }) {
	crm.goDown(downMs);
	const deliveries = targets.map((target) =>
		createDelivery({ urls: target.url, token, concurrency, timeScale, onAttempt: onAttempt && ((attempt) => onAttempt({ mode: target.mode, ...attempt })) }),
	);
	const sent = targets.map(() => mixedTraffic(events, count));
	const records = await Promise.all(deliveries.map((delivery, index) => delivery.deliverAll(sent[index])));
	const results = [];
	for (const [index, target] of targets.entries()) {
		const summary = deliveries[index].summary();
		deliveries[index].close();
		for (const attempt of deliveries[index].attempts) answers.push(attempt.answer ?? '');
		await waitForQuiet(n8n, target.workflowId, { atLeast: 1, timeoutMs: quietTimeoutMs });
		const executions = await readExecutions(n8n, target.workflowId, { triggerName: TRIGGER_NAME });
		const acknowledged = records[index].filter((record) => record.delivered);
		results.push({
			mode: target.mode,
			count,
			attempts: summary.attempts,
			byOutcome: summary.byOutcome,
			figures: accountFor(records[index], executions, outputIndexer(events)),
			crm: {
				// Acknowledged to AppDirect but never written to the CRM: lost for good.
				neverWritten: acknowledged.filter((record) => crm.writesOf(record.id) === 0).length,
				writtenTwice: records[index].filter((record) => crm.writesOf(record.id) > 1).length,
			},
		});
	}
	return { downMs, concurrency, refusedByCrm: crm.refused, healthy: await isHealthy(n8n), results };
}

/**
 * The hostile corpus (./corpus.mjs), sent in its order, alternately to each target, at
 * `concurrency`; then every answer is checked and every execution matched to a valid case.
 * `answers` collects every answer text (for the secrets check).
 */
export async function runHostile({ n8n, targets, cases, concurrency = 4, answers = [], xmlTimeoutMs = 8000 }) {
	const results = new Array(cases.length);
	let next = 0;
	const worker = async () => {
		while (next < cases.length) {
			const index = next++;
			const testCase = cases[index];
			const target = targets[index % targets.length];
			const answer = await rawRequest(`${target.url}${testCase.query ?? ''}`, {
				method: testCase.method,
				headers: testCase.headers,
				body: testCase.body,
				timeoutMs: testCase.kind === 'n8n-xml' ? xmlTimeoutMs : 30_000,
			});
			answers.push(answer.text);
			results[index] = { testCase, target, answer, problem: checkAnswer(testCase, answer, { mode: target.mode }) };
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));

	// Which execution each valid case (and each XML case n8n let through) must have started.
	const expected = new Map();
	for (const { testCase, target, answer } of results) {
		if (testCase.caseId && mayStartExecution(testCase, answer)) expected.set(testCase.caseId, { testCase, target });
	}
	const executionsByCase = new Map();
	const strays = [];
	for (const target of targets) {
		await waitForQuiet(n8n, target.workflowId, { atLeast: 0 });
		// The corpus marks its notifications, whose uuid may be of any type.
		const pick = (json) => ({ caseId: json?.notification?.corpusCase ?? null });
		for (const execution of await readExecutions(n8n, target.workflowId, { triggerName: TRIGGER_NAME, pick })) {
			const caseId = execution.items[0]?.caseId;
			if (!caseId || !expected.has(caseId)) {
				strays.push({ execution: execution.id, status: execution.status, caseId, event: execution.items[0]?.event });
				continue;
			}
			const list = executionsByCase.get(caseId) ?? [];
			list.push({ execution, target });
			executionsByCase.set(caseId, list);
		}
	}
	const executionProblems = [];
	for (const [caseId, { testCase, target }] of expected) {
		const found = executionsByCase.get(caseId) ?? [];
		const describe = `#${testCase.id} ${testCase.name}`;
		if (found.length !== 1) {
			executionProblems.push(`${describe}: ${found.length} executions instead of 1`);
			continue;
		}
		const [{ execution, target: where }] = found;
		const item = execution.items[0];
		const expectedOutput = target.outputOf(testCase.event);
		if (where !== target) executionProblems.push(`${describe}: execution in the other workflow`);
		if (execution.status !== 'success') executionProblems.push(`${describe}: execution ${execution.status}`);
		if (execution.items.length !== 1 || item.event !== testCase.event || item.output !== expectedOutput) {
			executionProblems.push(`${describe}: ${execution.items.length} item(s), ${item?.event} on output ${item?.output}, expected ${testCase.event} on ${expectedOutput}`);
		}
	}
	const answerProblems = results.filter((result) => result.problem).map(({ testCase, answer, problem }) => ({
		id: testCase.id,
		group: testCase.group,
		name: testCase.name,
		problem,
		got: answer.timedOut ? 'no answer' : `${answer.status ?? answer.error} ${answer.text.slice(0, 200)}`,
	}));
	const byGroup = {};
	for (const { testCase, answer, problem } of results) {
		const group = (byGroup[testCase.group] ??= { cases: 0, asDocumented: 0, statuses: {} });
		group.cases++;
		if (!problem) group.asDocumented++;
		const status = answer.timedOut ? 'no answer' : String(answer.status ?? answer.error);
		group.statuses[status] = (group.statuses[status] ?? 0) + 1;
	}
	const count = (kind) => results.filter((result) => result.testCase.kind === kind).length;
	return {
		cases: results.length,
		refused: count('refused'),
		valid: count('valid'),
		ignored: count('ignored'),
		xml: count('n8n-xml'),
		refusedWith2xx: results.filter((r) => r.testCase.kind === 'refused' && r.answer.status >= 200 && r.answer.status <= 299).length,
		answerProblems,
		executionProblems,
		strays,
		executionsExpected: expected.size,
		byGroup,
		healthy: await isHealthy(n8n),
	};
}

/** Where a secret shows up: answer bodies, n8n's log, and the execution records of the workflows. */
export async function findSecret({ n8n, secret, workflowIds, answers }) {
	let executionPages = 0;
	let pagesWithSecret = 0;
	for (const workflowId of workflowIds) {
		await readExecutions(n8n, workflowId, {
			triggerName: TRIGGER_NAME,
			onPage: (page) => {
				executionPages++;
				if (JSON.stringify(page).includes(secret)) pagesWithSecret++;
			},
		});
	}
	return {
		answersChecked: answers.length,
		answersWithSecret: answers.filter((text) => text.includes(secret)).length,
		logBytes: n8n.readLog().length,
		logHasSecret: n8n.readLog().includes(secret),
		executionPages,
		executionPagesWithSecret: pagesWithSecret,
	};
}

/**
 * Same-moment deliveries on one sync target: for `resources` new subscriptions, the addition and a
 * change are delivered at the same moment (the "create if none exists" race); then `changes`
 * changes of each, all at once (the "update if newer" path). Reads the records back after each round.
 *
 *   records()            the target's subscription records: [{ appdirectId, seats }]
 *   createsOf(id)        optional: how many calls created a record for this subscription
 *   localise(n)          optional: the notification as sent (its URLs pointing at an API stand-in)
 *   beforeRound(latest)  optional: called with each subscription's newest notification of the round
 *                        before it is sent (the AppDirect API stand-in then shows that state)
 */
export async function runSameInstant({ n8n, url, token, records, createsOf, localise = (n) => n, beforeRound = async () => {}, resources = 40, changes = 5 }) {
	const histories = Array.from({ length: resources }, (_, index) => subscriptionHistory(1 + changes, { at: Date.now() - 600_000 + index * 10_000 }).map(localise));
	const answers = [];
	const deliverAtOnce = async (notifications) => {
		const delivery = createDelivery({ urls: url, token, concurrency: notifications.length, timeScale: 0.001 });
		await Promise.all(notifications.map((notification) => delivery.deliver(notification)));
		delivery.close();
		const { delivered, byOutcome, gaveUp, p50Ms, p99Ms } = delivery.summary();
		const notDelivered = {};
		for (const entry of delivery.attempts.filter((attempt) => attempt.outcome !== 'delivered')) {
			const key = `${entry.outcome} ${entry.status ?? ''} ${entry.error ?? entry.answer ?? ''}`.slice(0, 160);
			notDelivered[key] = (notDelivered[key] ?? 0) + 1;
		}
		answers.push({ sent: notifications.length, byOutcome, gaveUp, p50Ms, p99Ms, notDelivered });
		return notifications.length - delivered;
	};
	const rowsOf = async () => {
		const rows = await records();
		return (history) => rows.filter((row) => row.appdirectId === history[0].resource.uuid);
	};
	// Round 1: "added" and the first change of each new subscription, at the same moment.
	await beforeRound(histories.map((history) => history[1]));
	let undelivered = await deliverAtOnce(histories.flatMap((history) => history.slice(0, 2)));
	let mine = await rowsOf();
	const created = {
		twoRowsOrMore: histories.filter((history) => mine(history).length > 1).length,
		oneRowNewest: histories.filter((history) => mine(history).length === 1 && mine(history)[0].seats === history[1].resource.content.maxUsers).length,
		oneRowOlder: histories.filter((history) => mine(history).length === 1 && mine(history)[0].seats !== history[1].resource.content.maxUsers).length,
	};
	// Round 2: the remaining changes of every subscription, all at once, newest first.
	await beforeRound(histories.map((history) => history.at(-1)));
	undelivered += await deliverAtOnce(histories.flatMap((history) => history.slice(2).reverse()));
	mine = await rowsOf();
	const newest = (history) => history.at(-1).resource.content.maxUsers;
	const updated = {
		newestEverywhere: histories.filter((history) => mine(history).length > 0 && mine(history).every((row) => row.seats === newest(history))).length,
		olderSomewhere: histories.filter((history) => mine(history).some((row) => row.seats !== newest(history))).length,
	};
	// Calls that created a record, when the target records them: more than one per subscription is a duplicate create.
	const duplicateCreates = createsOf ? histories.filter((history) => createsOf(history[0].resource.uuid) > 1).length : null;
	// And none at all: a record that exists without a recorded create means the count itself is wrong.
	const withoutCreate = createsOf ? histories.filter((history) => createsOf(history[0].resource.uuid) === 0).length : null;
	return { resources, changes, undelivered, answers, created, updated, duplicateCreates, withoutCreate, healthy: await isHealthy(n8n) };
}
