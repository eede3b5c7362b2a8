// Lost, duplicated and misrouted notifications: what AppDirect was told (the delivery simulator's
// records) against what n8n really did (its execution records). Pure: the readers give it plain
// execution summaries, whatever the source — n8n's public API (scripts/n8n/executions-api.mjs, one
// n8n on SQLite) or PostgreSQL (scripts/n8n/executions-pg.mjs, queue mode) — so every run counts
// the same way.
//
//   const report = accountDeliveries(delivery.records, executions, { expectedOutput });
//   report.lost, report.duplicated, report.wrongOutput   // counts
//   report.ids.lost                                      // the notifications behind them
//   describeAccount(report)                              // one line for logs
//
// A notification is "processed" when an execution whose trigger item carried its id (the item's
// notificationId) ended with status success.

/**
 * What the trigger emitted in an execution, from n8n's run data (an execution's `data`, as the
 * public API returns it or as n8n stores it): one list of item `json`s per output.
 */
export function triggerOutputs(data, triggerName) {
	const run = data?.resultData?.runData?.[triggerName]?.[0]?.data?.main;
	if (run) return run.map((items) => (items ?? []).map((item) => item.json));
	// An execution that stopped before its trigger step ran (n8n or its worker died) still holds
	// the trigger's output on its stack: that is where n8n puts what the webhook returned.
	const stack = data?.executionData?.nodeExecutionStack ?? [];
	const entry = stack.find((step) => step.node?.name === triggerName);
	return (entry?.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json));
}

/**
 * The items an execution carried, in the shape accountDeliveries() reads:
 * [{ output, event, notificationId, ...pick(json) }]. `pick` adds fields a caller needs.
 */
export function executionItems(data, triggerName, pick) {
	const items = [];
	triggerOutputs(data, triggerName).forEach((list, output) => {
		for (const json of list) {
			items.push({ output, event: json?.event ?? null, notificationId: json?.notificationId ?? null, ...pick?.(json) });
		}
	});
	return items;
}

/** An execution record of n8n's public API (with data), summarised: status and the items it carried. */
export function summariseExecution(execution, triggerName, pick) {
	return {
		id: String(execution.id),
		status: execution.status,
		mode: execution.mode,
		startedAt: execution.startedAt ?? null,
		stoppedAt: execution.stoppedAt ?? null,
		items: executionItems(execution.data, triggerName, pick),
	};
}

/**
 * records     [{ id, delivered, attempts?: [{ outcome }], event? }]: createDelivery().records
 * executions  [{ id, status, items: [{ output, notificationId }] }]: executionItems() per execution
 * expectedOutput(record)  the trigger output the notification belongs on (optional; without it
 *             only "exactly one item" is checked)
 *
 * Counts:
 *   sent, acknowledged, notAcknowledged  notifications, by AppDirect's view
 *   processed                  notifications with at least one successful execution
 *   lost                       acknowledged (2xx), but no successful execution
 *   lostWithFailedExecution    of those, the ones with an execution that failed or crashed
 *   duplicated                 more than one successful execution (acknowledged or not)
 *   extraExecutions            successful executions beyond the first, summed
 *   processedNotAcknowledged   processed although AppDirect never got a 2xx (it gave up)
 *   wrongOutput                successful executions whose trigger did not put exactly one item,
 *                              on the expected output
 *   unknown                    executions that carry no notification that was sent
 *   executions, statuses       every execution, and how many ended with each status
 *   attempts, retried          attempts in all; notifications that needed more than one
 * and `ids`, the notifications (or executions) behind each non-zero figure.
 */
export function accountDeliveries(records, executions, { expectedOutput } = {}) {
	const byId = new Map(records.map((record) => [record.id, { record, successes: [], others: [] }]));
	const statuses = {};
	const wrongOutput = [];
	const unknown = [];
	for (const execution of executions) {
		statuses[execution.status] = (statuses[execution.status] ?? 0) + 1;
		const entries = execution.items.map((item) => byId.get(item.notificationId)).filter(Boolean);
		if (entries.length === 0) {
			unknown.push({ execution: execution.id, status: execution.status, notificationIds: execution.items.slice(0, 3).map((item) => item.notificationId) });
			continue;
		}
		for (const entry of entries) (execution.status === 'success' ? entry.successes : entry.others).push(execution.id);
		if (execution.status !== 'success') continue;
		const [item] = execution.items;
		const expected = expectedOutput?.(entries[0].record);
		if (execution.items.length !== 1 || (expected !== undefined && item.output !== expected)) {
			wrongOutput.push({ execution: execution.id, items: execution.items.length, output: item?.output, expected });
		}
	}
	const all = [...byId.values()];
	const acknowledged = all.filter((entry) => entry.record.delivered);
	const lost = acknowledged.filter((entry) => entry.successes.length === 0);
	const duplicated = all.filter((entry) => entry.successes.length > 1);
	const processedNotAcknowledged = all.filter((entry) => !entry.record.delivered && entry.successes.length > 0);
	const attemptsOf = (entry) => entry.record.attempts?.length ?? 0;
	return {
		sent: all.length,
		acknowledged: acknowledged.length,
		notAcknowledged: all.length - acknowledged.length,
		processed: all.filter((entry) => entry.successes.length > 0).length,
		lost: lost.length,
		lostWithFailedExecution: lost.filter((entry) => entry.others.length > 0).length,
		duplicated: duplicated.length,
		extraExecutions: duplicated.reduce((sum, entry) => sum + entry.successes.length - 1, 0),
		processedNotAcknowledged: processedNotAcknowledged.length,
		wrongOutput: wrongOutput.length,
		unknown: unknown.length,
		executions: executions.length,
		statuses,
		attempts: all.reduce((sum, entry) => sum + attemptsOf(entry), 0),
		retried: all.filter((entry) => attemptsOf(entry) > 1).length,
		ids: {
			lost: lost.map((entry) => entry.record.id),
			duplicated: duplicated.map((entry) => ({ id: entry.record.id, executions: entry.successes })),
			processedNotAcknowledged: processedNotAcknowledged.map((entry) => entry.record.id),
			wrongOutput,
			unknown,
		},
	};
}

/** One line for logs and docs: "2000 sent, 2000 acknowledged, 0 lost, 0 duplicated, 12 retried (2012 attempts)". */
export function describeAccount(report) {
	const other = Object.entries(report.statuses)
		.filter(([status]) => status !== 'success')
		.map(([status, count]) => `${count} ${status}`)
		.join(', ');
	return [
		`${report.sent} sent`,
		`${report.acknowledged} acknowledged`,
		`${report.lost} lost`,
		`${report.duplicated} duplicated`,
		`${report.retried} retried (${report.attempts} attempts)`,
		...(report.processedNotAcknowledged ? [`${report.processedNotAcknowledged} processed but never acknowledged`] : []),
		...(report.wrongOutput ? [`${report.wrongOutput} on a wrong output`] : []),
		...(report.unknown ? [`${report.unknown} executions of nothing sent`] : []),
		...(other ? [`other executions: ${other}`] : []),
	].join(', ');
}
