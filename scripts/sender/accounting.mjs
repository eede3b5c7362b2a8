// Lost and duplicated notifications: what AppDirect was told (the delivery simulator's records)
// against what n8n really did (its execution records, from any source: PostgreSQL, the public
// API, SQLite). Pure: give it plain records, get counts and the ids behind them.
//
//   const report = accountDeliveries(delivery.records, executions);
//   report.lost        // acknowledged (2xx) but no successful execution
//   report.duplicated  // more than one successful execution
//
// A notification is "processed" when an execution that carried its id (the trigger item's
// notificationId) ended with status success.

/**
 * records:    [{ id, delivered, gaveUp?, attempts: [{ outcome }] }] from createDelivery().records
 * executions: [{ id, status, notificationId }]
 * Returns counts and id lists:
 *   sent, acknowledged, notAcknowledged  notifications, by AppDirect's view
 *   processed                            acknowledged notifications with exactly one successful execution
 *   lost                                 acknowledged, no successful execution
 *   duplicated                           more than one successful execution (acknowledged or not)
 *   processedUnacknowledged              processed although AppDirect never got a 2xx (it gave up)
 *   unknownExecutions                    successful executions of notifications that were never sent
 *   otherExecutions                      executions that did not succeed, by status ({ error: 3, crashed: 1 })
 *   attempts, retried                    attempts in all; notifications that needed more than one
 */
export function accountDeliveries(records, executions) {
	const successes = new Map();
	const otherExecutions = {};
	for (const execution of executions) {
		if (execution.status === 'success' && execution.notificationId) {
			successes.set(execution.notificationId, [...(successes.get(execution.notificationId) ?? []), execution.id]);
		} else {
			otherExecutions[execution.status] = (otherExecutions[execution.status] ?? 0) + 1;
		}
	}
	const sentIds = new Set(records.map((record) => record.id));
	const lost = [];
	const duplicated = [];
	const processedUnacknowledged = [];
	let processed = 0;
	let acknowledged = 0;
	let attempts = 0;
	let retried = 0;
	for (const record of records) {
		const runs = successes.get(record.id)?.length ?? 0;
		attempts += record.attempts.length;
		if (record.attempts.length > 1) retried++;
		if (runs > 1) duplicated.push({ id: record.id, executions: successes.get(record.id) });
		if (record.delivered) {
			acknowledged++;
			if (runs === 0) lost.push(record.id);
			if (runs === 1) processed++;
		} else if (runs > 0) {
			processedUnacknowledged.push(record.id);
		}
	}
	const unknownExecutions = [...successes.keys()].filter((id) => !sentIds.has(id));
	return {
		sent: records.length,
		acknowledged,
		notAcknowledged: records.length - acknowledged,
		processed,
		lost,
		duplicated,
		processedUnacknowledged,
		unknownExecutions,
		otherExecutions,
		attempts,
		retried,
	};
}

/** One line for logs and docs: "2000 sent, 2000 acknowledged, 0 lost, 0 duplicated, 12 retried". */
export function describeAccount(report) {
	const other = Object.entries(report.otherExecutions)
		.map(([status, count]) => `${count} ${status}`)
		.join(', ');
	return [
		`${report.sent} sent`,
		`${report.acknowledged} acknowledged`,
		`${report.lost.length} lost`,
		`${report.duplicated.length} duplicated`,
		`${report.retried} retried (${report.attempts} attempts)`,
		...(report.processedUnacknowledged.length ? [`${report.processedUnacknowledged.length} processed but never acknowledged`] : []),
		...(other ? [`other executions: ${other}`] : []),
	].join(', ');
}
