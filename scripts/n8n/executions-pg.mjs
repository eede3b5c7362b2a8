// Reads n8n's execution records straight from PostgreSQL (tables execution_entity and
// execution_data), for checks that must not depend on n8n's API: which notification each
// execution carried, on which output of the trigger, and how it ended. Uses the `pg` and
// `flatted` modules of the pinned n8n runtime (n8n stores run data as flatted JSON), so the
// package gains no dependency.
import { createRequire } from 'node:module';
import path from 'node:path';

import { executionItems } from '../send/accounting.mjs';
import { ensureRuntime } from './provision.mjs';

async function runtimeRequire() {
	const runtime = await ensureRuntime();
	return createRequire(path.join(runtime.nodeModules, 'noop.js'));
}

/**
 * A pg pool for the database `postgres` (from startPostgres) describes. Call .end() when done.
 * A pool, so that reading goes on after PostgreSQL was restarted (an outage test).
 */
export async function connect(postgres) {
	const { Pool } = (await runtimeRequire())('pg');
	const pool = new Pool({
		host: postgres.host,
		port: postgres.port,
		user: postgres.user,
		password: postgres.password,
		database: postgres.database,
		max: 2,
	});
	// An idle connection that PostgreSQL closes (it was stopped) is dropped, not thrown.
	pool.on('error', () => {});
	return pool;
}

/**
 * What the trigger emitted in one execution: the outputs that received items, the first item,
 * and the nodes that ran. `runData` is n8n's resultData.runData.
 */
export function triggerLanding(runData, triggerName) {
	const main = runData?.[triggerName]?.[0]?.data?.main ?? [];
	const filled = main.map((items, index) => ({ index, items: items?.length ?? 0 })).filter((output) => output.items > 0);
	return {
		outputCount: main.length,
		filled,
		item: filled.length > 0 ? main[filled[0].index][0].json : undefined,
		ran: Object.keys(runData ?? {}).sort(),
	};
}

/**
 * Executions of the given workflows (all when omitted) with id > afterId, oldest first:
 * { id, workflowId, status, mode, finished, createdAt, startedAt, stoppedAt, landing, items, notificationId, error }.
 * `landing` is triggerLanding() of the trigger named `triggerName`, undefined when the trigger has not
 * run in the execution yet; `items` (what scripts/send/accounting.mjs counts) and `notificationId`
 * (of the first item) are read from the items waiting for it then.
 */
export async function readExecutions(client, { workflowIds, afterId = 0, triggerName = 'AppDirect Trigger' } = {}) {
	const { parse } = (await runtimeRequire())('flatted');
	const params = [afterId];
	let where = 'e.id > $1';
	if (workflowIds?.length) {
		params.push(workflowIds);
		where += ' AND e."workflowId" = ANY($2)';
	}
	const { rows } = await client.query(
		`SELECT e.id, e."workflowId", e.status, e.mode, e.finished, e."createdAt", e."startedAt", e."stoppedAt", d.data
		   FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id
		  WHERE ${where} ORDER BY e.id`,
		params,
	);
	return rows.map((row) => {
		let data;
		try {
			data = row.data ? parse(row.data) : undefined;
		} catch {
			data = undefined;
		}
		const runData = data?.resultData?.runData;
		const landing = runData?.[triggerName] ? triggerLanding(runData, triggerName) : undefined;
		// Also when the trigger has not run yet (or its worker died first): then its items wait in the stack.
		const items = executionItems(data, triggerName);
		return {
			id: Number(row.id),
			workflowId: row.workflowId,
			status: row.status,
			mode: row.mode,
			finished: row.finished,
			createdAt: row.createdAt,
			startedAt: row.startedAt,
			stoppedAt: row.stoppedAt,
			landing,
			items,
			notificationId: items[0]?.notificationId ?? undefined,
			error: data?.resultData?.error?.message,
		};
	});
}

/** Highest execution id so far (0 when none): later reads can ask only for what came after. */
export async function lastExecutionId(client) {
	const { rows } = await client.query('SELECT COALESCE(MAX(id), 0) AS id FROM execution_entity');
	return Number(rows[0].id);
}

/** Counts of executions by status for the given workflows, e.g. { success: 10, running: 1 }. */
export async function statusCounts(client, { workflowIds, afterId = 0 } = {}) {
	const { rows } = await client.query(
		`SELECT status, COUNT(*)::int AS n FROM execution_entity WHERE id > $1 ${workflowIds?.length ? 'AND "workflowId" = ANY($2)' : ''} GROUP BY status`,
		workflowIds?.length ? [afterId, workflowIds] : [afterId],
	);
	return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * Which worker ran each execution, from the workers' logs: n8n's job processor logs
 * "Worker started execution <id> (job <n>)" on the worker that took the job (the database does
 * not record it). Returns Map<executionId, workerName[]> (more than one name: the job ran twice).
 */
export function executionsByWorker(workers) {
	const ranOn = new Map();
	for (const worker of workers) {
		for (const match of worker.readLog().matchAll(/Worker started execution (\d+) \(job (\d+)\)/g)) {
			const id = Number(match[1]);
			ranOn.set(id, [...(ranOn.get(id) ?? []), worker.name]);
		}
	}
	return ranOn;
}
