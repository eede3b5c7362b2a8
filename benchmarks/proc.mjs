// CPU time and memory of process trees, from /proc (Linux). A process tree is a process and all
// its descendants: an n8n process with its supervisor and task runner, PostgreSQL with its backends.

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

import fs from 'node:fs';
import path from 'node:path';

/** pid -> { ppid, cpuTicks (user + system) } for every process. */
export function processTable() {
	const table = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// comm may contain spaces and parentheses: the fields start after the last ')'.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) });
		} catch {
			// the process ended while we were reading
		}
	}
	return table;
}

export function treePids(rootPid, table = processTable()) {
	const pids = [rootPid];
	for (let i = 0; i < pids.length; i++) {
		for (const [pid, info] of table) if (info.ppid === pids[i]) pids.push(pid);
	}
	return pids.filter((pid) => table.has(pid));
}

/** CPU seconds (user + system) the tree has used so far (ended children that were waited for included). */
export function treeCpuSeconds(rootPid, table = processTable()) {
	return treePids(rootPid, table).reduce((sum, pid) => sum + table.get(pid).cpuTicks + childrenTicks(pid), 0) / CLK_TCK;
}

// cutime + cstime: CPU of children that ended (PostgreSQL backends of closed connections).
function childrenTicks(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(fields[13]) + Number(fields[14]);
	} catch {
		return 0;
	}
}

/** Fields of /proc/<pid>/status in KiB (0 for each once the process has ended). */
function statusKiB(pid, fields) {
	let status = '';
	try {
		status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	} catch {
		// ended
	}
	return fields.map((field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0));
}

const rssKiB = (pid) => statusKiB(pid, ['VmRSS'])[0];

/**
 * Resident memory of one process as the kernel counts it (MiB), from one read: the whole, its
 * anonymous part (heaps: V8's and every native allocation) and its file-backed part (code, mapped
 * files); zeros once it has ended.
 */
export function rssPartsMiB(pid) {
	const [rss, anon, file] = statusKiB(pid, ['VmRSS', 'RssAnon', 'RssFile']).map((kib) => kib / 1024);
	return { rssMiB: rss, anonMiB: anon, fileMiB: file };
}

/** Resident memory of one process (0 once it has ended). */
export function rssMiB(pid) {
	return rssKiB(pid) / 1024;
}

export function treeRssMiB(rootPid, table = processTable()) {
	return treePids(rootPid, table).reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024;
}

/** The command line with each part's folders left out, e.g. "node n8n start"; "?" once it has ended. */
export function commandOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((part) => path.basename(part)).join(' ');
	} catch {
		return '?';
	}
}

/** Busy CPU seconds of the whole machine so far (all but idle and iowait). */
export function machineBusySeconds() {
	const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	return (cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4]) / CLK_TCK;
}
