// Shared by the end-to-end and editor tests: the package packed as users get it, and the
// real-n8n helpers from scripts/n8n (ES modules, loaded with a native dynamic import).
import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const repoRoot = resolve(__dirname, '..', '..');

// ts-jest would turn `import()` into `require()`, which cannot load .mjs files. The eval'd source
// is unique per load: V8 reuses an identical eval'd function across jest test files, and one
// compiled in a file that has finished fails with "Test environment has been torn down".
const evaluatedImport = (0, eval)(
	`(specifier) => import(specifier) /* ${process.pid} ${Date.now()} ${Math.random()} */`,
) as (specifier: string) => Promise<any>;

/** Loads an ES module (`.mjs`) from the repo, e.g. `importScript('scripts/send/run.mjs')`. */
export function importScript(relativePath: string): Promise<any> {
	return evaluatedImport(join(repoRoot, relativePath));
}

export interface N8nInstance {
	baseUrl: string;
	owner: { email: string; password: string };
	workflowIds: string[];
	userFolder: string;
	logFile: string;
	productionWebhookUrl(webhookId: string, path: string): string;
	testWebhookUrl(webhookId: string, path: string): string;
	getExecutions(options?: { workflowId?: string; status?: string; includeData?: boolean }): Promise<any[]>;
	waitForExecutions(options: { workflowId?: string; count: number; timeoutMs?: number; includeData?: boolean }): Promise<any[]>;
	api(method: string, path: string, body?: unknown): Promise<any>;
	rest(method: string, path: string, body?: unknown): Promise<any>;
	readLog(): string;
	logTail(lines?: number): string;
	stop(): Promise<void>;
}

export interface InstanceModule {
	startN8n(options: Record<string, unknown>): Promise<N8nInstance>;
	nodeOutputs(execution: unknown, nodeName: string, runIndex?: number): Array<Array<Record<string, any>>> | undefined;
}

/** startN8n (scripts/n8n/instance.mjs) and nodeOutputs, which reads an execution's data (scripts/n8n/client.mjs). */
export async function loadInstanceModule(): Promise<InstanceModule> {
	// One after the other: jest links ES modules loaded side by side into one cache and loses some.
	const { startN8n } = await importScript('scripts/n8n/instance.mjs');
	const { nodeOutputs } = await importScript('scripts/n8n/client.mjs');
	return { startN8n, nodeOutputs };
}

let packed: string | undefined;

/**
 * `npm pack` of the built package (run `npm run build` first; `npm test` does), once per test
 * file; the temporary folder goes when the test process exits.
 */
export function packPackage(): string {
	if (packed) return packed;
	sweepPackFolders();
	const folder = mkdtempSync(join(tmpdir(), `appdirect-pack-${process.pid}-`));
	process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
	execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: repoRoot, stdio: 'ignore' });
	packed = join(folder, readdirSync(folder).find((file) => file.endsWith('.tgz'))!);
	return packed;
}

/** Jest ends its workers without running their exit handlers: the next pack removes their folders. */
function sweepPackFolders(): void {
	for (const name of readdirSync(tmpdir())) {
		if (!name.startsWith('appdirect-pack-')) continue;
		const pid = /^appdirect-pack-(\d+)-/.exec(name)?.[1];
		// Folders without a pid come from older checkouts: only stale ones are surely unused.
		const gone = pid ? !isAlive(Number(pid)) : Date.now() - statSync(join(tmpdir(), name)).mtimeMs > 3_600_000;
		if (gone) {
			rmSync(join(tmpdir(), name), { recursive: true, force: true });
		}
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
