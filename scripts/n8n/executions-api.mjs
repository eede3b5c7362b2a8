// Reads n8n's execution records through its public API (any database, one n8n): each execution
// summarised as scripts/send/accounting.mjs counts it, page by page, so that tens of thousands
// of executions with their data never sit in memory at once. The queue-mode twin reads PostgreSQL
// directly (./executions-pg.mjs) and gives the same `items`.
import { summariseExecution } from '../send/accounting.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every execution of a workflow, oldest first, as summariseExecution() gives it (`pick(json)` adds
 * fields of each trigger item). `onPage(page)` sees each raw page, e.g. to look for a secret in it.
 */
export async function readExecutions(n8n, workflowId, { triggerName, pick, onPage } = {}) {
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
		for (const execution of page.data ?? []) summaries.push(summariseExecution(execution, triggerName, pick));
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
