// The figures of a bench:n8n run as Markdown: one table per n8n setting, the memory run, the
// goals as measured, and every mismatch between the requests sent and the executions n8n recorded.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SCENARIOS } from './scenarios.mjs';

export function soakSummary(soakRun) {
	const { samples, heap } = soakRun;
	const total = soakRun.result.requests;
	const half = total / 2;
	const lastHalf = samples.filter((s) => s.sent >= half);
	const at = (sent) => samples.find((s) => s.sent >= sent) ?? samples[samples.length - 1];
	const stats = (field) => {
		const values = lastHalf.map((s) => s[field]);
		const min = Math.min(...values);
		const max = Math.max(...values);
		return { atHalf: at(half)[field], atEnd: samples[samples.length - 1][field], min, max, spread: (max - min) / min, growth: samples[samples.length - 1][field] / at(half)[field] - 1 };
	};
	// The heap after garbage collection is the floor of its saw-tooth: the lowest sample of each tenth.
	const tenths = Array.from({ length: 10 }, (_, i) => {
		const inside = heap.filter((h) => h.sent >= (i * total) / 10 && h.sent < ((i + 1) * total) / 10 && Number.isFinite(h.heapUsedMiB));
		return inside.length ? Math.min(...inside.map((h) => h.heapUsedMiB)) : NaN;
	});
	const floors = tenths.slice(5).filter(Number.isFinite);
	const heapFloor = { tenths, lastHalfSpread: floors.length ? (Math.max(...floors) - Math.min(...floors)) / Math.min(...floors) : NaN };
	return { main: stats('mainMiB'), tree: stats('treeMiB'), first: samples[0], heapFloor, parts: memoryParts(heap.filter((h) => h.sent >= half)) };
}

/**
 * Where the main process's RSS goes up and down in the last half: each part's range (MiB) over
 * the same samples, and how closely it moves with RSS (correlation). The part that swings with
 * RSS is what sets the limit.
 */
function memoryParts(samples) {
	const rows = samples
		.filter((h) => Number.isFinite(h.heapTotalMiB) && h.heapTotalMiB > 0 && h.rssMiB > 0)
		.map((h) => ({ ...h, nativeMiB: h.rssMiB - h.heapTotalMiB - h.externalMiB }));
	if (rows.length < 3) return undefined;
	const correlation = (field) => {
		const mean = (f) => rows.reduce((sum, r) => sum + r[f], 0) / rows.length;
		const [mx, my] = [mean(field), mean('rssMiB')];
		const cov = rows.reduce((sum, r) => sum + (r[field] - mx) * (r.rssMiB - my), 0);
		const vx = rows.reduce((sum, r) => sum + (r[field] - mx) ** 2, 0);
		const vy = rows.reduce((sum, r) => sum + (r.rssMiB - my) ** 2, 0);
		return vx && vy ? cov / Math.sqrt(vx * vy) : NaN;
	};
	const part = (field) => {
		const values = rows.map((r) => r[field]);
		return { min: Math.min(...values), max: Math.max(...values), correlation: field === 'rssMiB' ? 1 : correlation(field) };
	};
	const fields = ['rssMiB', 'anonMiB', 'fileMiB', 'heapTotalMiB', 'heapUsedMiB', 'externalMiB', 'nativeMiB'];
	return { samples: rows.length, ...Object.fromEntries(fields.map((field) => [field, part(field)])) };
}

// ---------- report ----------

export const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const pct = (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)} %` : 'n/a');

const cpuPerRequest = (r) => (r.cpu.n8n * 1000) / r.requests;

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function table(header, rows) {
	return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function resultRow(r, base) {
	const sorted = [...r.latencies].sort((a, b) => a - b);
	const mismatch = r.executions !== r.requests;
	return [
		r.label,
		r.body,
		r.requests,
		`**${f1(cpuPerRequest(r))}**`,
		base ? `${f2(cpuPerRequest(r) / base)}×` : '',
		f1((r.requests / r.wallMs) * 1000),
		f0(percentile(sorted, 50)),
		f0(percentile(sorted, 99)),
		f0(r.rssPeak),
		`${f2(r.engine.isolates / r.requests)} / ${f2(r.engine.evaluations / r.requests)}`,
		`${r.executions}${mismatch ? ' **MISMATCH**' : ''}${r.notSuccess ? ` (${r.notSuccess} not success)` : ''}${r.failures.length ? `, ${r.failures.length} failed` : ''}`,
	];
}

export function machineFacts(runtime) {
	const n8nVersion = JSON.parse(fs.readFileSync(path.join(runtime.nodeModules, 'n8n', 'package.json'), 'utf8')).version;
	const runtimeNode = execFileSync(runtime.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	return {
		date: new Date().toISOString(),
		host: os.hostname(),
		cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? '?'}`,
		memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		client: `node ${process.version}`,
		n8n: `n8n ${n8nVersion} on node ${runtimeNode}, SQLite, regular mode`,
	};
}

export function report({ facts, options, runs, soakRun, load, wallS, cpu, profiles }) {
	const out = [];
	out.push(`## Cost per notification in a real n8n — ${facts.date}`, '');
	out.push(`- machine: ${facts.cpus}, ${facts.memory}; client ${facts.client}; ${facts.n8n}`);
	out.push(
		`- ${options.requests} measured requests per small-body scenario in ${options.rounds} rounds (order rotating), concurrency ${options.concurrency}; ` +
			`${options.large} ~1 MB requests (concurrency ${options.largeConcurrency}); warm-up ${options.warmup} per workflow, not counted; one n8n per setting`,
	);
	out.push(`- load average (1 min) at start ${f2(load[0])}, at end ${f2(load[1])}; wall time ${f0(wallS)} s`);
	out.push(
		`- CPU during measured batches: machine busy ${f1(cpu.busy)} s of ${f1(cpu.wall * os.availableParallelism())} core-s; ` +
			`n8n ${f1(cpu.n8n)} s, this client ${f1(cpu.self)} s, other processes ~${f1(Math.max(0, cpu.busy - cpu.n8n - cpu.self))} s`,
	);
	out.push('');
	out.push(...goals(runs, soakRun), '');
	const header = ['scenario', 'body', 'requests', 'n8n CPU ms / notification', 'vs (a)', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'isolates / evaluations per request', 'executions'];
	for (const run of runs) {
		out.push(`### ${run.label}`, '');
		const base = run.results.find((r) => r.scenario === 'a');
		const baseLarge = run.results.find((r) => r.scenario === 'aLarge');
		out.push(table(header, run.results.map((r) => resultRow(r, r.body === '~1 MB' ? baseLarge && cpuPerRequest(baseLarge) : base && cpuPerRequest(base)))));
		out.push('');
		const ratio = (x, y) => {
			const rx = run.results.find((r) => r.scenario === x);
			const ry = run.results.find((r) => r.scenario === y);
			return rx && ry ? `${x} / ${y} = ${f2(cpuPerRequest(rx) / cpuPerRequest(ry))}` : undefined;
		};
		const ratios = [ratio('c', 'b'), ratio('cLast', 'bLast'), ratio('c', 'a'), ratio('d', 'a')].filter(Boolean);
		if (ratios.length) out.push(`CPU ratios: ${ratios.join('; ')}`, '');
		out.push(`n8n RSS: ${f0(run.idleRssMiB)} MiB idle with the workflows published, ${f0(run.endRssMiB)} MiB at the end.`);
		const badRouting = run.routing.filter((r) => !r.ok);
		out.push(`Routing check (newest execution of each workflow ran exactly one branch): ${badRouting.length ? `**FAILED** ${JSON.stringify(badRouting)}` : 'ok'}.`, '');
	}
	if (soakRun) {
		const s = soakSummary(soakRun);
		const r = soakRun.result;
		out.push(`### Memory: ${r.requests} notifications of ${SCENARIOS[soakRun.scenario].label} under ${soakRun.label}${options.soakNodeOptions ? `, NODE_OPTIONS=${options.soakNodeOptions}` : ''}`, '');
		out.push(
			table(
				['process', 'RSS at start MiB', 'at half-way', 'at the end', 'last half min–max', 'spread in the last half', 'end vs half-way'],
				[
					['n8n main process', f0(s.first.mainMiB), f0(s.main.atHalf), f0(s.main.atEnd), `${f0(s.main.min)}–${f0(s.main.max)}`, pct(s.main.spread), pct(s.main.growth)],
					['n8n process tree', f0(s.first.treeMiB), f0(s.tree.atHalf), f0(s.tree.atEnd), `${f0(s.tree.min)}–${f0(s.tree.max)}`, pct(s.tree.spread), pct(s.tree.growth)],
				],
			),
		);
		out.push('');
		out.push(
			`V8 heap used after garbage collection (lowest sample in each tenth of the run, MiB): ${s.heapFloor.tenths.map(f0).join(', ')}; ` +
				`spread over the last half ${pct(s.heapFloor.lastHalfSpread)}.`,
			'',
		);
		if (s.parts) {
			const names = {
				rssMiB: 'RSS of the main process',
				anonMiB: 'of it anonymous (heaps)',
				fileMiB: 'of it file-backed (code, mapped files)',
				heapTotalMiB: "V8's main heap, reserved",
				heapUsedMiB: "V8's main heap, used",
				externalMiB: "V8's external memory (buffers)",
				nativeMiB: 'the rest: native memory outside the main heap (RSS − reserved heap − external)',
			};
			out.push(
				`Where the main process's memory swings, last half (${s.parts.samples} samples, every 2 s):`,
				'',
				table(
					['part', 'min MiB', 'max MiB', 'range MiB', 'moves with RSS (correlation)'],
					Object.entries(names).map(([field, name]) => {
						const p = s.parts[field];
						return [name, f0(p.min), f0(p.max), f0(p.max - p.min), f2(p.correlation)];
					}),
				),
				'',
			);
		}
		out.push(
			`${f1(cpuPerRequest(r))} ms n8n CPU per notification, ${f1((r.requests / r.wallMs) * 1000)} req/s; executions recorded ${r.executions} of ${r.requests} ` +
				`(${soakRun.recorded} in n8n with the warm-up)${r.notSuccess ? `, ${r.notSuccess} not success` : ''}${r.failures.length ? `, ${r.failures.length} failed requests` : ''}.`,
			'',
		);
	}
	if (profiles) out.push('### CPU profile of n8n (with --cpu-prof: slower, for where the time goes only)', '', profiles, '');
	return out.join('\n');
}

/** The issue's goals, as measured in this run. */
function goals(runs, soakRun) {
	const cpu = (run, key) => {
		const r = run?.results.find((x) => x.scenario === key);
		return r ? cpuPerRequest(r) : NaN;
	};
	const mark = (ok) => (ok ? 'met' : '**missed**');
	const lines = ['Goals:'];
	const defaults = runs.find((run) => run.config === 'defaults');
	// A goal whose anchors are not in --plan is left out rather than reported as missed.
	if (defaults && Number.isFinite(cpu(defaults, 'c') / cpu(defaults, 'b'))) {
		const ratio = cpu(defaults, 'c') / cpu(defaults, 'b');
		const last = cpu(defaults, 'cLast') / cpu(defaults, 'bLast');
		const lastText = Number.isFinite(last) ? ` (answer when finished: ${f2(last)}×)` : '';
		lines.push(`- n8n's defaults, (c) ≤ 1.0× (b): ${f2(ratio)}×${lastText} — ${mark(ratio <= 1 && !(last > 1))}`);
	}
	const tuned = runs
		.filter((run) => run.config !== 'defaults' && run.config !== 'legacy')
		.map((run) => ({ run, ratio: cpu(run, 'c') / cpu(run, 'a') }))
		.filter((x) => Number.isFinite(x.ratio))
		.sort((x, y) => x.ratio - y.ratio);
	if (tuned.length) {
		const all = tuned.map((x) => `${x.run.label} ${f2(x.ratio)}×`).join('; ');
		lines.push(`- best settings, (c) ≤ 1.1× (a): ${all} — ${mark(tuned[0].ratio <= 1.1)}`);
	}
	if (soakRun) {
		const s = soakSummary(soakRun);
		// The goal is about (c); another scenario's memory run is a control, reported without a verdict.
		const verdict = soakRun.scenario === 'c' ? ` — ${mark(s.main.spread <= 0.05)}` : ` (control: ${SCENARIOS[soakRun.scenario].label})`;
		lines.push(
			`- memory, RSS of n8n within 5 % over the last half of ${soakRun.result.requests} notifications: main process ${pct(s.main.spread)}, ` +
				`tree ${pct(s.tree.spread)}; heap after garbage collection ${pct(s.heapFloor.lastHalfSpread)}${verdict}`,
		);
	}
	return lines;
}

export function mismatches(runs, soakRun) {
	const problems = [];
	for (const run of runs) {
		for (const r of run.results) {
			if (r.executions !== r.requests || r.notSuccess || r.failures.length) problems.push(`${run.config}/${r.scenario}: ${r.requests} requests, ${r.executions} executions, ${r.notSuccess} not success, ${r.failures.length} failed`);
		}
		for (const t of run.totals) if (t.recorded !== t.sent || t.success !== t.sent || t.warmFailures) problems.push(`${run.config}/${t.key}: ${t.sent} sent in all, ${t.recorded} recorded, ${t.success} success`);
		for (const r of run.routing) if (!r.ok) problems.push(`${run.config}/${r.key}: routing ran ${r.ran.join(', ')}`);
	}
	if (soakRun) {
		const r = soakRun.result;
		if (r.executions !== r.requests || r.notSuccess || r.failures.length) problems.push(`soak: ${r.requests} requests, ${r.executions} executions`);
		// The memory run has no warm-up: what n8n holds must be exactly what was sent.
		if (soakRun.recorded !== r.requests) problems.push(`soak: ${r.requests} sent, ${soakRun.recorded} recorded by n8n`);
	}
	return problems;
}
