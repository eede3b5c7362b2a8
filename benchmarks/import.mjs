#!/usr/bin/env node
// How close an import of a whole marketplace into the CRM's Data Tables comes to the time
// AppDirect's rate limit allows, in a real n8n against the local API stand-in with the bucket on
// (20 requests, 5 per second), and n8n's memory meanwhile. In one run, side by side:
//   listing         Manual Trigger → Get Many subscriptions → users → companies, nothing written: the baseline
//   bulk            the import: each list, then its write into the Data Tables (a sub-workflow: new rows
//                   inserted in one statement, rows already there updated if older), one after the other
// and, only when asked for (--variants), because they take far longer at full size or do not finish:
//   template        the Data Table CRM's own template "Import existing customers"
//                   (examples/appdirect-crm-import.json) and its shared upsert, one resource at a time
//   bulk-overlap    the same, but each list's write runs while the next list is read
//   upsert, upsert-overlap  the same with n8n's per-row upsert
// Every import is checked row by row against the stand-in before its figures count.
// Usage: npm run bench:import            (npm run build && node benchmarks/import.mjs)
//        node benchmarks/import.mjs --help
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startAppDirectApi } from '../scripts/appdirect-api/server.mjs';
import { CRM_IMPORT, CRM_UPSERT, RECONCILE_RUNS_TABLE, TABLES, crmImportWorkflow, crmUpsertWorkflow, tableColumns } from '../scripts/demo/examples/data-table.mjs';
import { API_CREDENTIAL } from '../scripts/demo/examples/nodes.mjs';
import { readRows } from '../scripts/demo/tables.mjs';
import { startN8n } from '../scripts/n8n/instance.mjs';
import { checkImport, isRight } from './import/check.mjs';
import { BUCKET, rateLimitBound, requestSummary } from './import/measure.mjs';
import { LISTING_ID, LISTS, TRIGGER, WRITES, importId, importWorkflow, listingWorkflow, writeId, writeWorkflow } from './import/workflows.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VARIANTS = ['listing', 'bulk', 'template', 'bulk-overlap', 'upsert', 'upsert-overlap'];
const DEFAULT_VARIANTS = ['listing', 'bulk'];
/** A variant's workflow: { write, overlap }, or nothing written. */
const variantOf = (variant) => {
	if (variant === 'listing') return undefined;
	if (variant === 'template') return { workflowId: CRM_IMPORT.id, writeId: CRM_UPSERT.id, trigger: TEMPLATE_TRIGGER };
	const shape = { write: variant.split('-')[0], overlap: variant.endsWith('-overlap') };
	return { ...shape, workflowId: importId(shape.write, shape.overlap), writeId: writeId(shape.write), trigger: TRIGGER };
};
const GOAL = 1.11;
const TEMPLATE_TRIGGER = crmImportWorkflow().nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger').name;

const { values: opts } = parseArgs({
	options: {
		companies: { type: 'string', default: '2000' },
		'users-per-company': { type: 'string', default: '5' },
		'subscriptions-per-company': { type: 'string', default: '2' },
		variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
		out: { type: 'string' },
		package: { type: 'string' },
		keep: { type: 'boolean', default: false },
		'n8n-env': { type: 'string', default: '' },
		help: { type: 'boolean', short: 'h', default: false },
	},
});
if (opts.help) {
	console.log(`Usage: npm run build && node benchmarks/import.mjs [options]

  --companies N                  companies in the stand-in's marketplace (default 2000)
  --users-per-company N          users of each company (default 5)
  --subscriptions-per-company N  subscriptions of each company (default 2)
  --variants V                   which runs, in order, from ${VARIANTS.join(', ')}
                                 (default ${DEFAULT_VARIANTS.join(',')})
  --out FILE                     raw results as JSON (default benchmarks/results/import-<time>.json)
  --package FILE                 an n8n-nodes-appdirect tarball to run instead of packing this tree
  --n8n-env K=V,K=V              extra environment for n8n, e.g. N8N_EXPRESSION_ENGINE_COMPILE_CACHE=true
  --keep                         keep n8n's user folder (its log and database) and print where it is

A quick run: node benchmarks/import.mjs --companies 100`);
	process.exit(0);
}
const integer = (name, min) => {
	const value = Number(opts[name]);
	if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}, not "${opts[name]}"`);
	return value;
};
const MARKETPLACE = {
	companies: integer('companies', 1),
	usersPerCompany: integer('users-per-company', 0),
	subscriptionsPerCompany: integer('subscriptions-per-company', 0),
	invoicesPerCompany: 0,
};
const N8N_ENV = Object.fromEntries(
	opts['n8n-env']
		.split(',')
		.filter(Boolean)
		.map((pair) => {
			const at = pair.indexOf('=');
			if (at < 1) throw new Error(`--n8n-env: "${pair}" is not KEY=VALUE`);
			return [pair.slice(0, at), pair.slice(at + 1)];
		}),
);
const RUNS = opts.variants.split(',').filter(Boolean);
for (const variant of RUNS) if (!VARIANTS.includes(variant)) throw new Error(`--variants: unknown "${variant}"; choose from ${VARIANTS.join(', ')}`);

const T0 = Date.now();
const log = (message) => process.stderr.write(`[import +${((Date.now() - T0) / 1000).toFixed(1)}s] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const s1 = (value) => (value === undefined ? '–' : value.toFixed(1));

const CLIENT = {
	clientId: 'n8n-bench-import',
	clientSecret: `s3cret-${Math.random().toString(36).slice(2)}`,
};

/** Fresh, empty Data Tables of the CRM sync (the import writes into them by name). */
async function freshTables(n8n) {
	const existing = (await n8n.api('GET', '/data-tables?limit=250')).data ?? [];
	for (const table of existing) await n8n.api('DELETE', `/data-tables/${table.id}`);
	const ids = {};
	for (const [key, table] of Object.entries({ ...TABLES, runs: RECONCILE_RUNS_TABLE }))
		ids[key] = (
			await n8n.api('POST', '/data-tables', {
				name: table.name,
				columns: tableColumns(table),
			})
		).id;
	return ids;
}

/** Samples the resident memory of n8n's process group (n8n and its task runner) every 200 ms. */
function memorySampler(n8n) {
	const samples = [];
	const take = () => samples.push({ at: Date.now(), mib: n8n.rssMiB() });
	take();
	const timer = setInterval(take, 200);
	return {
		stop() {
			clearInterval(timer);
			take();
			return {
				beforeMiB: samples[0].mib,
				peakMiB: Math.max(...samples.map((sample) => sample.mib)),
				afterMiB: samples.at(-1).mib,
				samples: samples.length,
			};
		},
	};
}

/**
 * A status request, tried again a few times when it fails: while the writes keep n8n's event loop
 * busy a request can fail (a reset connection); the figures come from n8n's own timestamps, not from when a poll returned.
 */
async function poll(request) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await request();
		} catch (error) {
			if (attempt >= 5) throw error;
			log(`  a status request failed (${error.cause?.code ?? error.cause?.message ?? error.message}); asking again`);
			await sleep(1000 * attempt);
		}
	}
}

/** Runs a workflow as the editor's "Execute workflow" button does and waits for it and the sub-workflow executions it started. */
async function runManually(n8n, workflowId, trigger, subWorkflowId, subExecutions) {
	const known = new Set((await n8n.getExecutions({ includeData: false })).map((execution) => execution.id));
	const startedAt = Date.now();
	const answer = await n8n.rest('POST', `/workflows/${workflowId}/run`, {
		triggerToStartFrom: { name: trigger },
	});
	if (!answer?.executionId) throw new Error(`the manual run started no execution: ${JSON.stringify(answer)}`);
	const deadline = Date.now() + 60 * 60_000;
	let reported = Date.now();
	for (;;) {
		const fresh = (await poll(() => n8n.getExecutions({ includeData: false }))).filter((execution) => !known.has(execution.id));
		const main = fresh.find((execution) => String(execution.id) === String(answer.executionId));
		const subs = fresh.filter((execution) => execution.workflowId === subWorkflowId);
		const done = (execution) => execution && execution.status !== 'running' && execution.status !== 'new' && execution.stoppedAt;
		const all = [main, ...subs];
		// A failed execution starts nothing more: the run is over, and wrong.
		const failed = all.some((execution) => done(execution) && execution.status !== 'success');
		// A main execution that ended without starting every write (a bug in the workflow) is waited for a little, then reported by the check.
		const stalled = done(main) && subs.every(done) && Date.now() - Date.parse(main.stoppedAt) > 10_000;
		if ((done(main) && subs.length >= subExecutions && subs.every(done)) || (failed && all.every(done)) || stalled) {
			const stoppedAt = Math.max(...all.map((execution) => Date.parse(execution.stoppedAt)));
			return { startedAt, stoppedAt, main, subs };
		}
		if (Date.now() > deadline) throw new Error(`the run did not finish within an hour (${JSON.stringify({ main, subs: subs.length })})`);
		if (Date.now() - reported > 15_000) {
			reported = Date.now();
			log(`  main ${main?.status ?? 'not yet listed'}; write executions ${subs.map((execution) => execution.status).join(', ') || 'none yet'}`);
		}
		await sleep(250);
	}
}

/** When each node of an execution started and how long it ran, from n8n's run data. */
async function nodeTimings(n8n, executionId, startedAt) {
	const execution = await n8n.getExecution(executionId);
	const runData = execution?.data?.resultData?.runData ?? {};
	return Object.entries(runData).map(([node, runs]) => ({
		node,
		startS: (runs[0].startTime - startedAt) / 1000,
		seconds: runs.reduce((sum, run) => sum + (run.executionTime ?? 0), 0) / 1000,
		items: runs[0].data?.main?.[0]?.length ?? 0,
		error: runs[0].error?.message,
	}));
}

async function measure(n8n, api, variant) {
	const shape = variantOf(variant);
	const writes = Boolean(shape);
	const tables = writes ? await freshTables(n8n) : undefined;
	// The bucket empties in size/perSecond seconds: every run starts with the same burst.
	await sleep((BUCKET.size / BUCKET.perSecond) * 1000 + 1000);
	const since = api.requests.length;
	const memory = memorySampler(n8n);
	log(`${variant}: running`);
	const run = shape
		? await runManually(n8n, shape.workflowId, shape.trigger, shape.writeId, LISTS.length)
		: await runManually(n8n, LISTING_ID, TRIGGER, undefined, 0);
	const mem = memory.stop();
	const requests = requestSummary(api.requests.slice(since));
	const bound = rateLimitBound(requests.admitted);
	const wallS = (run.stoppedAt - run.startedAt) / 1000;
	const statuses = [run.main, ...run.subs].map((execution) => execution.status);
	const timings = await nodeTimings(n8n, run.main.id, Date.parse(run.main.startedAt));
	let check;
	if (writes) {
		log(`${variant}: checking every row against the stand-in`);
		check = await checkImport(api, tables, (id) => readRows(n8n, id));
	}
	const result = {
		variant,
		wallS,
		listingSpanS: (requests.lastAt - requests.firstAt) / 1000,
		afterLastRequestS: (run.stoppedAt - requests.lastAt) / 1000,
		requests,
		bound,
		ratio: bound.withBurstS > 0 ? wallS / bound.withBurstS : undefined,
		memory: mem,
		statuses,
		timings,
		check,
	};
	log(
		`${variant}: ${s1(wallS)} s for ${requests.admitted} requests (${requests.refused} answered 429), bound ${s1(bound.withBurstS)} s, ratio ${result.ratio?.toFixed(2)}, peak RSS ${mem.peakMiB.toFixed(0)} MiB`,
	);
	return result;
}

function report(facts, results) {
	const lines = [];
	const m = MARKETPLACE;
	lines.push(`## Import benchmark (${facts.date})`, '');
	lines.push(
		`\`${facts.command}\` on ${facts.machine}; n8n ${facts.n8n}, SQLite${Object.keys(N8N_ENV).length ? ` with ${Object.entries(N8N_ENV).map(([k, v]) => `${k}=${v}`).join(', ')}` : ", n8n's default settings"}; stand-in marketplace of ${m.companies} companies × ${m.usersPerCompany} users × ${m.subscriptionsPerCompany} subscriptions, rate limit on (bucket ${BUCKET.size}, ${BUCKET.perSecond}/s); load average before/after ${facts.load.map((l) => l.toFixed(2)).join(' / ')}.`,
		'',
	);
	lines.push(
		'| run | wall s | API requests | 429s | bound s (burst of 20 free) | wall ÷ bound | listing span s | after last request s | n8n RSS before → peak MiB | rows right |',
	);
	lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
	for (const r of results) {
		const rows = r.check
			? Object.entries(r.check)
					.map(([table, c]) => `${table} ${c.rows}/${c.expected}${isRight(c) ? '' : ' WRONG'}`)
					.join(', ')
			: 'nothing written';
		lines.push(
			`| ${r.variant} | ${s1(r.wallS)} | ${r.requests.admitted} | ${r.requests.refused} | ${s1(r.bound.withBurstS)} (${s1(r.bound.withoutBurstS)} without) | ${r.ratio?.toFixed(2) ?? '–'} | ${s1(r.listingSpanS)} | ${s1(r.afterLastRequestS)} | ${r.memory.beforeMiB.toFixed(0)} → ${r.memory.peakMiB.toFixed(0)} | ${rows} |`,
		);
	}
	lines.push(
		'',
		`Goal: wall ÷ bound ≤ ${GOAL}. Wall: from the manual run's request to the end of the last execution it started (n8n's stoppedAt). Bound: (requests − ${BUCKET.size}) ÷ ${BUCKET.perSecond}/s, the least time a bucket that starts empty lets that many requests through.`,
	);
	for (const r of results) {
		lines.push(
			'',
			`${r.variant}, where the main execution's time went: ${r.timings.map((t) => `${t.node} ${s1(t.seconds)} s${t.items ? ` (${t.items} items)` : ''}`).join('; ')}`,
		);
		for (const c of Object.entries(r.check ?? {})) if (!isRight(c[1])) lines.push(`  ${c[0]} WRONG: ${JSON.stringify(c[1])}`);
	}
	return lines.join('\n');
}

async function main() {
	const load = [os.loadavg()[0]];
	let packDir;
	let tarball = opts.package && path.resolve(opts.package);
	if (!tarball) {
		log('packing the package (npm pack --ignore-scripts)');
		packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-bench-pack-'));
		execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, stdio: 'ignore' });
		tarball = path.join(
			packDir,
			fs.readdirSync(packDir).find((file) => file.endsWith('.tgz')),
		);
	}
	log(`starting the AppDirect API stand-in (${MARKETPLACE.companies} companies, rate limit on)`);
	const api = await startAppDirectApi({
		clients: [CLIENT],
		seed: false,
		marketplace: MARKETPLACE,
		rateLimit: true,
	});
	let n8n;
	try {
		log('starting n8n');
		n8n = await startN8n({
			packages: [tarball],
			workflows: [
				listingWorkflow(),
				...WRITES.flatMap((write) => [writeWorkflow(write), importWorkflow({ write, overlap: false }), importWorkflow({ write, overlap: true })]),
				crmUpsertWorkflow(),
				crmImportWorkflow(),
			],
			publish: false,
			keepUserFolder: opts.keep,
			env: N8N_ENV,
		});
		if (opts.keep) log(`n8n's user folder (kept): ${n8n.userFolder}`);
		const data = {
			baseUrl: api.url,
			clientId: CLIENT.clientId,
			clientSecret: CLIENT.clientSecret,
			scope: 'ROLE_PARTNER_READ',
		};
		await n8n.api('POST', '/credentials', {
			id: API_CREDENTIAL.id,
			name: API_CREDENTIAL.name,
			type: API_CREDENTIAL.type,
			data,
		});
		const results = [];
		for (const variant of RUNS) results.push(await measure(n8n, api, variant));
		load.push(os.loadavg()[0]);
		const { ensureRuntime } = await import('../scripts/n8n/provision.mjs');
		const runtime = await ensureRuntime();
		const facts = {
			date: new Date().toISOString(),
			command: `node benchmarks/import.mjs ${process.argv.slice(2).join(' ')}`.trim(),
			machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
			n8n: runtime.n8nVersion,
			load,
		};
		const markdown = report(facts, results);
		const outFile = path.resolve(opts.out ?? path.join(repoRoot, 'benchmarks', 'results', `import-${facts.date.replace(/[:.]/g, '-')}.json`));
		fs.mkdirSync(path.dirname(outFile), { recursive: true });
		fs.writeFileSync(outFile, JSON.stringify({ facts, marketplace: MARKETPLACE, results, markdown }, null, 1));
		console.log(markdown);
		log(`raw results: ${path.relative(process.cwd(), outFile)}`);
		const wrong = results.filter((r) => r.statuses.some((status) => status !== 'success') || Object.values(r.check ?? {}).some((c) => !isRight(c)));
		if (wrong.length) {
			console.error(`\n!!!!!!!! WRONG IMPORT in ${wrong.map((r) => r.variant).join(', ')}: its figures do not count — see above !!!!!!!!`);
			process.exitCode = 1;
		}
	} finally {
		await n8n?.stop();
		await api.close();
		if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
	}
}

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

main().catch((error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
