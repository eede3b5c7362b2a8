// docs/crm-recipes.md walks a non-developer through the import and the nightly reconciliation by the
// names of the templates' steps: every step it names in bold must be a step of the templates, and
// every step of those two parts must be named there.
import { readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'crm-recipes.md'), 'utf8');
const templates: Record<string, Set<string>> = Object.fromEntries(
	['hubspot', 'salesforce'].map((crm) => [crm, new Set<string>(JSON.parse(readFileSync(join(root, 'examples', `${crm}-crm-sync.json`), 'utf8')).nodes.map((node: { name: string }) => node.name))]),
);

/** The text of a `## ` section, up to the next one. */
function section(title: string): string {
	const start = doc.indexOf(`\n## ${title}\n`);
	if (start < 0) throw new Error(`docs/crm-recipes.md has no section "${title}"`);
	const end = doc.indexOf('\n## ', start + 1);
	return doc.slice(start, end < 0 ? undefined : end);
}

const SECTIONS = ['Import what AppDirect already has', 'The nightly reconciliation'];
const named = new Set(SECTIONS.flatMap((title) => [...section(title).matchAll(/\*\*([^*]+)\*\*/g)].map((match) => match[1].replace(/\s+/g, ' '))));
/** A step only one CRM has names that CRM ("List HubSpot deals"); the others are in both templates. */
const crmOf = (step: string) => (/HubSpot/.test(step) ? ['hubspot'] : /Salesforce/.test(step) ? ['salesforce'] : ['hubspot', 'salesforce']);
/** "Get current …" stands for the three steps of that name. */
const expand = (step: string) => (step.endsWith(' …') ? ['company', 'contact', 'subscription'].map((label) => step.replace('…', label)) : [step]);

test('every step the import and reconciliation sections name in bold is a step of the templates', () => {
	expect(named.size).toBeGreaterThan(10);
	const missing = [...named].flatMap((step) => crmOf(step).flatMap((crm) => expand(step).filter((name) => !templates[crm].has(name)).map((name) => `${crm}: ${name}`)));
	expect(missing).toEqual([]);
});

test('every step of the import and the reconciliation is named in those sections', () => {
	// The steps after the live sync's: the ones the import and the reconciliation added (their names start the import's and the reconciliation's parts).
	const batch = [
		'Import from AppDirect', 'List companies', 'List users', 'List subscriptions', 'Everything listed', 'One resource at a time', 'Sync one resource',
		'When called by the import', 'Which resource?', 'Every night', 'Since the last run', 'List all companies', 'List all users', 'List all subscriptions',
		'List users changed since', 'List subscriptions changed since', 'What changed and what is gone', 'Remember this run',
	];
	for (const crm of Object.keys(templates)) {
		const lists = [...templates[crm]].filter((name) => /^List (HubSpot|Salesforce) /.test(name));
		expect(lists).toHaveLength(3);
		const unnamed = [...batch, ...lists].filter((name) => !named.has(name));
		expect([crm, unnamed]).toEqual([crm, []]);
		for (const name of batch) expect([crm, name, templates[crm].has(name)]).toEqual([crm, name, true]);
	}
});
