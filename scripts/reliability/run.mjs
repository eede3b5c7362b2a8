#!/usr/bin/env node
// `npm run reliability`: the full-size reliability run in real n8n instances (SQLite, regular
// mode): the hostile corpus, load in both answer modes, SIGKILL crashes per mode, a downstream
// outage, and the token looked for everywhere. Prints a table; writes every figure and every
// delivery attempt to reliability-results/ (git-ignored). The test suite runs the same
// scenarios at small sizes (test/reliability/).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startN8n } from '../n8n/instance.mjs';
import { corpusSummary, hostileCorpus } from './corpus.mjs';
import { startCrm } from './crm.mjs';
import { RACE_TARGETS, runRaces } from './races.mjs';
import { findSecret, runCrash, runHostile, runLoad, runOutage } from './scenarios.mjs';
import { catalogEvents, publishWithToken, reliabilityWorkflow, targetOf, webhookOf } from './workflows.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PARTS = ['hostile', 'load', 'crash', 'outage', 'races'];

const USAGE = `Usage: npm run reliability -- [options]

  --only <parts>         comma-separated, from ${PARTS.join(', ')} [all]
  --load <N>             notifications per answer mode in the load run [10000]
  --concurrency <C>      notifications in flight in the load run [64]
  --crash <N>            notifications per answer mode in each crash run [1000]
  --crash-concurrency C  in flight during the crash runs [16]
  --outage <N>           notifications per answer mode in the outage run [200]
  --outage-seconds S     how long the CRM answers 500 [20]
  --races <N>            new subscriptions whose first notifications arrive at the same moment, on each
                         races target [40]
  --races-targets <list> comma-separated, from ${RACE_TARGETS.join(', ')} [all]: the Data Table
                         example, and the HubSpot and Salesforce templates against their stand-ins
  --out <folder>         where the raw results go [reliability-results]

Each part starts its own n8n (SQLite, regular mode) with the packed package.`;

function number(name, text) {
	const value = Number(text);
	if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
	return value;
}

function options() {
	const { values } = parseArgs({
		options: {
			only: { type: 'string', default: PARTS.join(',') },
			load: { type: 'string', default: '10000' },
			concurrency: { type: 'string', default: '64' },
			crash: { type: 'string', default: '1000' },
			'crash-concurrency': { type: 'string', default: '16' },
			outage: { type: 'string', default: '200' },
			'outage-seconds': { type: 'string', default: '20' },
			races: { type: 'string', default: '40' },
			'races-targets': { type: 'string', default: RACE_TARGETS.join(',') },
			out: { type: 'string', default: 'reliability-results' },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const only = values.only.split(',').map((part) => part.trim());
	for (const part of only) if (!PARTS.includes(part)) throw new Error(`unknown part "${part}": ${PARTS.join(', ')}`);
	const raceTargets = values['races-targets'].split(',').map((target) => target.trim());
	for (const target of raceTargets) if (!RACE_TARGETS.includes(target)) throw new Error(`unknown races target "${target}": ${RACE_TARGETS.join(', ')}`);
	return {
		only,
		load: number('load', values.load),
		concurrency: number('concurrency', values.concurrency),
		crash: number('crash', values.crash),
		crashConcurrency: number('crash-concurrency', values['crash-concurrency']),
		outage: number('outage', values.outage),
		outageMs: number('outage-seconds', values['outage-seconds']) * 1000,
		races: number('races', values.races),
		raceTargets,
		out: path.resolve(root, values.out),
	};
}

const say = (line = '') => process.stderr.write(`${line}\n`);

function pack() {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-reliability-pack-'));
	execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root, stdio: 'ignore' });
	return { folder, tarball: path.join(folder, fs.readdirSync(folder).find((file) => file.endsWith('.tgz'))) };
}

// Which n8n the parts ran on, for the results file.
const n8nRuns = new Set();

/** One n8n with these workflows published and the token credential; `use` runs against it. */
async function withN8n({ tarball, workflows, token, logLevel = 'debug', env = {} }, use) {
	const n8n = await startN8n({
		packages: [tarball],
		workflows,
		publish: false,
		logLevel,
		// Every execution is kept (n8n prunes beyond 10,000 by default), so each can be counted.
		env: { N8N_LOG_FORMAT: 'json', EXECUTIONS_DATA_PRUNE: 'false', ...env },
	});
	n8nRuns.add(`n8n ${n8n.runtime.n8nVersion} on Node ${n8n.runtime.nodeVersion}`);
	try {
		await publishWithToken(n8n, workflows, token);
		return await use(n8n);
	} finally {
		await n8n.stop();
	}
}


async function main() {
	const opts = options();
	const token = `rel-${randomBytes(20).toString('hex')}`;
	const events = catalogEvents().map((event) => event.name);
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	fs.mkdirSync(opts.out, { recursive: true });
	const attemptsFile = path.join(opts.out, `${stamp}-attempts.jsonl`);
	const logAttempt = (part) => (attempt) => fs.appendFileSync(attemptsFile, `${JSON.stringify({ part, ...attempt })}\n`);
	const results = { startedAt: new Date().toISOString(), commit: commit(), machine: machine(), options: { ...opts, out: undefined }, parts: {} };
	const { folder, tarball } = pack();
	const secrets = [];
	try {
		if (opts.only.includes('hostile')) {
			say('hostile corpus…');
			const answers = [];
			const workflows = ['immediately', 'whenFinished'].map((respond) =>
				reliabilityWorkflow({ key: `hostile${respond === 'immediately' ? 'Imm' : 'Fin'}`, respond, options: { includeRawNotification: true, includeHeaders: true } }),
			);
			results.parts.hostile = await withN8n({ tarball, workflows, token }, async (n8n) => {
				const cases = hostileCorpus({ token, events: catalogEvents(), seed: 6 });
				const run = await runHostile({ n8n, targets: [targetOf(n8n, workflows[0]), targetOf(n8n, workflows[1])], cases, answers });
				secrets.push({ part: 'hostile', ...(await findSecret({ n8n, secret: token, workflowIds: workflows.map((w) => w.id), answers })) });
				return { corpus: corpusSummary(cases), ...run };
			});
		}
		if (opts.only.includes('load')) {
			results.parts.load = [];
			for (const respond of ['immediately', 'whenFinished']) {
				say(`load, ${respond}: ${opts.load} notifications at concurrency ${opts.concurrency}…`);
				const workflow = reliabilityWorkflow({ key: `load${respond === 'immediately' ? 'Imm' : 'Fin'}`, respond });
				// Info level: debug logging of 10,000 executions would cost the run more than the node.
				results.parts.load.push(
					await withN8n({ tarball, workflows: [workflow], token, logLevel: 'info' }, async (n8n) => {
						const answers = [];
						const run = await runLoad({ n8n, target: targetOf(n8n, workflow), token, events, count: opts.load, concurrency: opts.concurrency, onAttempt: logAttempt(`load-${respond}`), answers });
						secrets.push({ part: `load-${respond}`, ...(await findSecret({ n8n, secret: token, workflowIds: [workflow.id], answers })) });
						return run;
					}),
				);
			}
		}
		if (opts.only.includes('crash')) {
			results.parts.crash = [];
			for (const readinessGate of [false, true]) {
				for (const respond of ['immediately', 'whenFinished']) {
					say(`crash, ${respond}${readinessGate ? ', behind a readiness gate' : ''}: SIGKILL after ${Math.round(opts.crash / 3)} of ${opts.crash} acknowledged…`);
					const workflow = reliabilityWorkflow({ key: `crash${respond === 'immediately' ? 'Imm' : 'Fin'}`, respond });
					results.parts.crash.push(
						await withN8n({ tarball, workflows: [workflow], token }, async (n8n) => {
							const answers = [];
							const run = await runCrash({
								onAttempt: logAttempt(`crash-${respond}${readinessGate ? '-gated' : ''}`),
								answers,
								n8n,
								targets: [targetOf(n8n, workflow)],
								token,
								events,
								count: opts.crash,
								concurrency: opts.crashConcurrency,
								killAfter: Math.round(opts.crash / 3),
								readinessGate,
								restart: { workflowIds: [workflow.id], webhooks: [webhookOf(workflow)] },
							});
							secrets.push({ part: `crash-${respond}${readinessGate ? '-gated' : ''}`, ...(await findSecret({ n8n, secret: token, workflowIds: [workflow.id], answers })) });
							return run;
						}),
					);
				}
			}
		}
		if (opts.only.includes('outage')) {
			say(`outage: the CRM answers 500 for ${opts.outageMs / 1000} s…`);
			const crm = await startCrm();
			try {
				const workflows = ['immediately', 'whenFinished'].map((respond) =>
					reliabilityWorkflow({ key: `outage${respond === 'immediately' ? 'Imm' : 'Fin'}`, respond, downstream: { crmUrl: crm.url } }),
				);
				results.parts.outage = await withN8n({ tarball, workflows, token }, async (n8n) => {
					const answers = [];
					const run = await runOutage({
						onAttempt: logAttempt('outage'),
						answers,
						n8n,
						crm,
						targets: [targetOf(n8n, workflows[0]), targetOf(n8n, workflows[1])],
						token,
						events,
						count: opts.outage,
						concurrency: 8,
						downMs: opts.outageMs,
					});
					secrets.push({ part: 'outage', ...(await findSecret({ n8n, secret: token, workflowIds: workflows.map((w) => w.id), answers })) });
					return run;
				});
			} finally {
				await crm.close();
			}
		}
		if (opts.only.includes('races')) {
			results.parts.races = [];
			for (const target of opts.raceTargets) {
				say(`races on ${target}: ${opts.races} new subscriptions, two notifications each at the same moment…`);
				const { run, secret } = await runRaces({ target, tarball, token, resources: opts.races, onN8n: (n8n) => n8nRuns.add(`n8n ${n8n.runtime.n8nVersion} on Node ${n8n.runtime.nodeVersion}`) });
				results.parts.races.push({ target, ...run });
				secrets.push({ part: `races-${target}`, ...secret });
			}
		}
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
	results.secrets = secrets;
	results.n8n = [...n8nRuns];
	results.finishedAt = new Date().toISOString();
	const file = path.join(opts.out, `${stamp}.json`);
	fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
	console.log(report(results));
	console.log(`\nRaw results: ${path.relative(root, file)}${fs.existsSync(attemptsFile) ? `, every delivery attempt: ${path.relative(root, attemptsFile)}` : ''}`);
}

/** The commit the run measured, marked when the working tree had changes. */
function commit() {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
		return dirty ? `${head} (with uncommitted changes)` : head;
	} catch {
		return null;
	}
}

function machine() {
	return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

/** The figures as Markdown tables. */
export function report(results) {
	const lines = [`Reliability run ${results.startedAt} → ${results.finishedAt}, commit ${results.commit}, ${results.n8n.join(', ')}, ${results.machine.cpus} CPUs, ${results.machine.memoryGiB} GiB`];
	const table = (header, rows) => {
		lines.push('', `| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`));
	};
	const { hostile, load, crash, outage } = results.parts;
	if (hostile) {
		lines.push('', '### Hostile input');
		table(
			['requests', 'refused (bad)', 'valid', 'ignored', 'XML (n8n parses)', 'answers not as documented', 'bad ones answered 2xx', 'valid ones without exactly one execution', 'executions from bad requests', 'n8n healthy after'],
			[[hostile.cases, hostile.refused, hostile.valid, hostile.ignored, hostile.xml, hostile.answerProblems.length, hostile.refusedWith2xx, hostile.executionProblems.length, hostile.strays.length, hostile.healthy ? 'yes' : 'NO']],
		);
		table(['group', 'requests', 'as documented', 'answers'], Object.entries(hostile.byGroup).map(([group, g]) => [group, g.cases, g.asDocumented, Object.entries(g.statuses).map(([s, n]) => `${s}×${n}`).join(', ')]));
	}
	if (load) {
		lines.push('', '### Load');
		table(
			['answer mode', 'notifications', 'concurrency', 'acknowledged', 'lost', 'duplicated', 'wrong output', 'answer p50 ms', 'answer p99 ms', 'attempts', 'notifications/s (until all executions done)', 'n8n RSS MiB before → after'],
			load.map((r) => [r.mode, r.count, r.concurrency, r.figures.acknowledged, r.figures.lost, r.figures.duplicated, r.figures.wrongOutput, r.p50Ms, r.p99Ms, r.attempts, r.perSecond, `${r.rssBeforeMiB} → ${r.rssAfterMiB}`]),
		);
	}
	if (crash) {
		lines.push('', '### SIGKILL in the middle of a burst, restart on the same folder and port');
		table(
			['answer mode', 'n8n reached', 'notifications', 'acknowledged before the kill', 'down (s)', 'acknowledged in the end', 'never processed (lost)', 'lost with a crashed execution', 'lost to "200 n8n is starting up"', 'processed twice', 'executions by status'],
			crash.flatMap((run) =>
				run.results.map((r) => [
					r.mode,
					run.readinessGate ? 'behind a readiness gate' : 'directly',
					r.count,
					run.timeline.acknowledgedBeforeKill[r.mode],
					(run.timeline.upAgainAtSeconds - run.timeline.killedAtSeconds).toFixed(1),
					r.figures.acknowledged,
					r.figures.lost,
					r.figures.lostWithFailedExecution,
					r.acknowledgedByStartupPage,
					r.figures.duplicated,
					Object.entries(r.figures.statuses).map(([s, n]) => `${s} ${n}`).join(', '),
				]),
			),
		);
	}
	if (outage) {
		lines.push('', `### The CRM answers 500 for ${outage.downMs / 1000} s`);
		table(
			['answer mode', 'notifications', 'acknowledged', 'attempts', 'processed (successful execution)', 'acknowledged but never written to the CRM', 'written twice', 'failed executions'],
			outage.results.map((r) => [r.mode, r.count, r.figures.acknowledged, r.attempts, r.figures.processed, r.crm.neverWritten, r.crm.writtenTwice, r.figures.statuses.error ?? 0]),
		);
	}
	const { races } = results.parts;
	if (races) {
		lines.push('', '### Same-moment deliveries, per sync target');
		table(
			['target', 'new subscriptions', '"added" + a change at the same moment: one record, newest', 'one record, older', 'two records or more', 'more than one successful create', 'no create recorded', 'then changes each at once: every record newest', 'some record older', 'notifications never answered 2xx'],
			races.map((r) => [r.target, r.resources, r.created.oneRowNewest, r.created.oneRowOlder, r.created.twoRowsOrMore, r.duplicateCreates ?? 'not recorded', r.withoutCreate ?? 'not recorded', `${r.updated.newestEverywhere} (${r.changes} changes)`, r.updated.olderSomewhere, r.undelivered]),
		);
	}
	lines.push('', '### The token');
	table(
		['run', 'answers checked', 'answers with the token', 'n8n log (bytes)', 'token in the log', 'execution pages read', 'pages with the token'],
		results.secrets.map((s) => [s.part, s.answersChecked, s.answersWithSecret, s.logBytes, s.logHasSecret ? 'YES' : 'no', s.executionPages, s.executionPagesWithSecret]),
	);
	return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((error) => {
		console.error(error.stack ?? error.message);
		process.exit(1);
	});
}
