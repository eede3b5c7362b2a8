// Nothing lost, nothing twice: what n8n's execution records say about a set of notifications
// that a sender delivered. Works on the public API, so it counts the same way whatever
// database or execution mode n8n runs with (SQLite regular mode here, PostgreSQL in queue mode).
//
//   const executions = await readExecutions(n8n, workflowId, { triggerName: 'AppDirect Trigger' });
//   const figures = account({ deliveries, executions });
//   figures.lost, figures.duplicated, figures.wrongOutput …

/** The trigger's output as one list of item `json`s per output, from an execution with data. */
export function triggerOutputs(execution, triggerName) {
	const run = execution?.data?.resultData?.runData?.[triggerName]?.[0]?.data?.main;
	if (run) return run.map((items) => (items ?? []).map((item) => item.json));
	// An execution that stopped before its trigger step ran (n8n crashed) still holds the
	// trigger's output on its stack: that is where n8n puts what the webhook returned.
	const stack = execution?.data?.executionData?.nodeExecutionStack ?? [];
	const entry = stack.find((step) => step.node?.name === triggerName);
	return (entry?.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json));
}

/** What one execution record says: its status and which notification left on which output. */
export function summariseExecution(execution, triggerName) {
	const outputs = triggerOutputs(execution, triggerName);
	const items = [];
	outputs.forEach((list, output) => {
		for (const json of list) {
			items.push({
				output,
				event: json?.event ?? null,
				notificationId: json?.notificationId ?? null,
				// The hostile corpus marks its notifications, whose uuid may be of any type.
				caseId: json?.notification?.corpusCase ?? null,
			});
		}
	});
	return {
		id: String(execution.id),
		status: execution.status,
		mode: execution.mode,
		startedAt: execution.startedAt ?? null,
		stoppedAt: execution.stoppedAt ?? null,
		outputCount: outputs.length,
		items,
		ran: Object.keys(execution?.data?.resultData?.runData ?? {}),
	};
}

/**
 * Every execution of a workflow, summarised page by page (full data is read but not kept).
 * `onPage(page)` sees each raw page, e.g. to look for a secret in the records.
 */
export async function readExecutions(n8n, workflowId, { triggerName, onPage } = {}) {
	const summaries = [];
	let cursor;
	do {
		const query = new URLSearchParams({
			workflowId,
			includeData: 'true',
			ignoreDataSizeLimit: 'true',
			limit: '250',
			...(cursor ? { cursor } : {}),
		});
		const page = await n8n.api('GET', `/executions?${query}`);
		onPage?.(page);
		for (const execution of page.data ?? []) summaries.push(summariseExecution(execution, triggerName));
		cursor = page.nextCursor;
	} while (cursor);
	return summaries.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Counts of a workflow's executions per status, without their data (cheap: for polling). */
export async function executionStatusCounts(n8n, workflowId) {
	const counts = {};
	let cursor;
	do {
		const query = new URLSearchParams({ workflowId, includeData: 'false', limit: '250', ...(cursor ? { cursor } : {}) });
		const page = await n8n.api('GET', `/executions?${query}`);
		for (const execution of page.data ?? []) counts[execution.status] = (counts[execution.status] ?? 0) + 1;
		cursor = page.nextCursor;
	} while (cursor);
	return counts;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a workflow has at least `atLeast` executions and none is still new or running
 * (in "answer immediately" mode executions go on after the answer), then a little longer.
 */
export async function waitForQuiet(n8n, workflowId, { atLeast = 0, timeoutMs = 300_000, settleMs = 1000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let counts = {};
	for (;;) {
		counts = await executionStatusCounts(n8n, workflowId);
		const total = Object.values(counts).reduce((a, b) => a + b, 0);
		const busy = (counts.new ?? 0) + (counts.running ?? 0);
		if (total >= atLeast && busy === 0) break;
		if (Date.now() > deadline) return { counts, timedOut: true };
		await sleep(1000);
	}
	await sleep(settleMs);
	return { counts: await executionStatusCounts(n8n, workflowId), timedOut: false };
}

const SAMPLE = 20;

/**
 * The figures for one run.
 *
 * deliveries  [{ id, acknowledged, expectedOutput? }]: what was sent, and whether the sender
 *             got a 2xx for it (for the delivery simulator: `record.delivered`)
 * executions  summaries from readExecutions()
 * keyOf       which item field ties an item to a delivery id ['notificationId']
 *
 * lost         acknowledged, but no successful execution processed it
 * duplicated   processed by more than one successful execution
 * wrongOutput  successful executions whose trigger did not put exactly one item, of this
 *              delivery, on the expected output
 * unknown      executions with items of no delivery we sent
 */
export function account({ deliveries, executions, keyOf = (item) => item.notificationId }) {
	const byId = new Map(deliveries.map((delivery) => [delivery.id, { ...delivery, successes: 0, others: [] }]));
	const statuses = {};
	const wrongOutput = [];
	const unknown = [];
	for (const execution of executions) {
		statuses[execution.status] = (statuses[execution.status] ?? 0) + 1;
		const keys = execution.items.map(keyOf);
		const entries = keys.map((key) => byId.get(key)).filter(Boolean);
		if (entries.length === 0) {
			unknown.push({ execution: execution.id, status: execution.status, keys: keys.slice(0, 3) });
			continue;
		}
		for (const entry of entries) {
			if (execution.status === 'success') entry.successes++;
			else entry.others.push(execution.status);
		}
		if (execution.status !== 'success') continue;
		const [item] = execution.items;
		const expected = entries[0].expectedOutput;
		if (execution.items.length !== 1 || (expected !== undefined && item.output !== expected)) {
			wrongOutput.push({ execution: execution.id, items: execution.items.length, output: item?.output, expected });
		}
	}
	const all = [...byId.values()];
	const acknowledged = all.filter((entry) => entry.acknowledged);
	const lost = acknowledged.filter((entry) => entry.successes === 0);
	const duplicated = all.filter((entry) => entry.successes > 1);
	const ids = (list) => list.slice(0, SAMPLE).map((entry) => entry.id);
	return {
		sent: all.length,
		acknowledged: acknowledged.length,
		notAcknowledged: all.length - acknowledged.length,
		processed: all.filter((entry) => entry.successes > 0).length,
		lost: lost.length,
		// A lost notification either has a failed or crashed execution, or none at all.
		lostWithFailedExecution: lost.filter((entry) => entry.others.length > 0).length,
		duplicated: duplicated.length,
		extraExecutions: duplicated.reduce((sum, entry) => sum + entry.successes - 1, 0),
		processedNotAcknowledged: all.filter((entry) => !entry.acknowledged && entry.successes > 0).length,
		wrongOutput: wrongOutput.length,
		unknown: unknown.length,
		executions: executions.length,
		statuses,
		samples: { lost: ids(lost), duplicated: ids(duplicated), wrongOutput: wrongOutput.slice(0, SAMPLE), unknown: unknown.slice(0, SAMPLE) },
	};
}
