// The options of scripts/quiet/run.mjs, kept apart so that they can be tested without running anything.

export const USAGE = `Usage: node scripts/quiet/run.mjs [--below <load>] [--timeout <seconds>] <command> [arguments…]

Waits until the 1-minute load average is below <load> (default 0.5), runs the command, and prints
the load average before and after it, so that a benchmark's figures say whether the machine was
quiet. Gives up with exit code 3 after <timeout> seconds of waiting (default: waits as long as it takes).`;

/**
 * Reads the options in front of the command; the command and its own options are left as they are.
 * Returns { below, timeoutSeconds, command } or { error } with what is wrong.
 */
export function parseOptions(argv) {
	const options = { below: 0.5, timeoutSeconds: Infinity };
	let index = 0;
	for (; index < argv.length && argv[index].startsWith('--'); index += 1) {
		const [name, inline] = argv[index].split('=', 2);
		if (name === '--') {
			index += 1;
			break;
		}
		if (name === '--help') return { help: true };
		if (name !== '--below' && name !== '--timeout') return { error: `unknown option ${name}` };
		const value = inline ?? argv[(index += 1)];
		const number = Number(value);
		if (value === undefined || value === '' || !Number.isFinite(number) || number <= 0) {
			return { error: `${name} needs a positive number, not ${value === undefined ? 'nothing' : `"${value}"`}` };
		}
		if (name === '--below') options.below = number;
		else options.timeoutSeconds = number;
	}
	const command = argv.slice(index);
	if (command.length === 0) return { error: 'no command to run' };
	return { ...options, command };
}

/** "0.42 0.61 0.80" from os.loadavg(). */
export const formatLoad = (load) => load.map((value) => value.toFixed(2)).join(' ');
