#!/usr/bin/env node
// Builds the example workflows in examples/ from one description, so the demo, the tests and
// the files agree on table names, columns, credential and webhook ids. Pinned data is what the
// built node (dist/) really emits for realistic notifications.
//
//   node scripts/demo/examples.mjs           rewrite examples/*.json (needs `npm run build`)
//   node scripts/demo/examples.mjs --check   exit 1 if a file differs from what would be written
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CRM_IMPORT, CRM_RECONCILE, CRM_SYNC, CRM_UPSERT, crmImportWorkflow, crmReconcileWorkflow, crmSyncWorkflow, crmUpsertWorkflow } from './examples/data-table.mjs';
import { HUBSPOT_SYNC, hubspotSyncWorkflow } from './examples/hubspot.mjs';
import { SUBSCRIPTIONS_TO_CRM, subscriptionsToCrmWorkflow } from './examples/http-crm.mjs';
import { examplesDir, root } from './examples/nodes.mjs';
import { SALESFORCE_SYNC, salesforceSyncWorkflow } from './examples/salesforce.mjs';

// One module per example (under examples/), the shared steps in examples/nodes.mjs; the names the
// demo, the cluster and the tests use are all reachable from here.
export * from './examples/data-table.mjs';
export * from './examples/hubspot.mjs';
export * from './examples/http-crm.mjs';
export * from './examples/nodes.mjs';
export * from './examples/salesforce.mjs';

export function buildExamples() {
	return {
		[CRM_SYNC.file]: crmSyncWorkflow(),
		[CRM_UPSERT.file]: crmUpsertWorkflow(),
		[CRM_IMPORT.file]: crmImportWorkflow(),
		[CRM_RECONCILE.file]: crmReconcileWorkflow(),
		[SUBSCRIPTIONS_TO_CRM.file]: subscriptionsToCrmWorkflow(),
		[SALESFORCE_SYNC.file]: salesforceSyncWorkflow(),
		[HUBSPOT_SYNC.file]: hubspotSyncWorkflow(),
	};
}

export const serialise = (workflow) => `${JSON.stringify(workflow, null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const check = process.argv.includes('--check');
	let stale = 0;
	for (const [file, workflow] of Object.entries(buildExamples())) {
		const target = path.join(examplesDir, file);
		const text = serialise(workflow);
		if (check) {
			let current = '';
			try {
				current = readFileSync(target, 'utf8');
			} catch {
				// missing counts as stale
			}
			if (current !== text) {
				stale++;
				console.error(`${path.relative(root, target)} is out of date: run node scripts/demo/examples.mjs`);
			}
		} else {
			writeFileSync(target, text);
			console.log(`wrote ${path.relative(root, target)}`);
		}
	}
	process.exit(stale ? 1 : 0);
}
