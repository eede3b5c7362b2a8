// `node scripts/quiet/run.mjs`: its options, and a clear answer for each mistake.
import { importScript } from '../helpers/runtime.cjs';

describe('quiet run options', () => {
	let parseOptions: (argv: string[]) => Record<string, unknown>;
	let formatLoad: (load: number[]) => string;
	beforeAll(async () => {
		({ parseOptions, formatLoad } = await importScript('scripts/quiet/options.mjs'));
	});

	it('waits for a load below 0.5, for as long as it takes, by default', () => {
		expect(parseOptions(['npm', 'run', 'bench'])).toEqual({ below: 0.5, timeoutSeconds: Infinity, command: ['npm', 'run', 'bench'] });
	});

	it('reads its own options, in both spellings, and leaves the command’s options alone', () => {
		expect(parseOptions(['--below', '0.3', '--timeout=600', 'npm', 'run', 'reliability', '--', '--load', '5000'])).toEqual({
			below: 0.3,
			timeoutSeconds: 600,
			command: ['npm', 'run', 'reliability', '--', '--load', '5000'],
		});
		expect(parseOptions(['--', '--odd-command'])).toMatchObject({ command: ['--odd-command'] });
	});

	it.each([
		[[], 'no command to run'],
		[['--below'], '--below needs a positive number, not nothing'],
		[['--below', 'low', 'true'], '--below needs a positive number, not "low"'],
		[['--timeout=-5', 'true'], '--timeout needs a positive number, not "-5"'],
		[['--fast', 'true'], 'unknown option --fast'],
	])('%j: %s', (argv, error) => {
		expect(parseOptions(argv as string[])).toEqual({ error });
	});

	it('prints the three load averages with two decimals', () => {
		expect(formatLoad([0.4, 1.234, 12])).toBe('0.40 1.23 12.00');
	});
});
