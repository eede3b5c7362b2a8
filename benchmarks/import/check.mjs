// Whether an import is right: every Data Table row against the resource the stand-in stores for
// its id (as its single read returns it), field by field, with no row missing, extra or repeated.
// A benchmark whose import is wrong measures nothing.
import { LISTS } from './workflows.mjs';

const idOf = (path) => path.split('/').pop();
const epoch = (value) => (value === null || value === undefined ? null : typeof value === 'number' ? value : Date.parse(value));

/**
 * Each table's expected columns, from the stand-in's stored resource (the single read's shape):
 * the columns of the CRM sync's tables (scripts/demo/examples/data-table.mjs).
 */
const EXPECTED = {
	COMPANY: (c) => ({
		name: c.name,
		enabled: c.enabled ?? null,
		website: c.website ?? null,
		phone: c.contact?.phoneNumber ?? null,
		city: c.contact?.address?.city ?? null,
		country: c.contact?.address?.country ?? null,
		externalId: c.externalId ?? null,
	}),
	USER: (u) => ({ email: u.email, firstName: u.firstName, lastName: u.lastName, status: u.status ?? null, locale: u.locale ?? null }),
	SUBSCRIPTION: (s) => ({
		status: s.status,
		companyId: s.company?.id ?? null,
		userId: s.user?.id ?? null,
		productId: s.product?.id ?? null,
		editionId: s.edition?.id ?? null,
		seats: s.maxUsers ?? null,
		frequency: s.order?.frequency ?? null,
		currency: s.order?.currency ?? null,
		totalPrice: s.order?.totalPrice ?? null,
		nextBillingDate: s.order?.nextBillingDate ?? null,
	}),
};
const DATES = new Set(['nextBillingDate']);

/**
 * Compares one table's rows with the stand-in's resources of `type`.
 * Returns { rows, expected, missing, extra, duplicated, wrongFields, examples }.
 */
export function checkTable(type, rows, api) {
	const expected = new Map(api.paths(type).map((path) => [idOf(path), EXPECTED[type](api.resource(path))]));
	const seen = new Map();
	const examples = [];
	let wrongFields = 0;
	let extra = 0;
	for (const row of rows) {
		seen.set(row.appdirectId, (seen.get(row.appdirectId) ?? 0) + 1);
		const want = expected.get(row.appdirectId);
		if (!want) {
			extra++;
			if (examples.length < 5) examples.push(`extra row ${row.appdirectId}`);
			continue;
		}
		for (const [column, value] of Object.entries(want)) {
			const got = DATES.has(column) ? epoch(row[column]) : (row[column] ?? null);
			if (got === value) continue;
			wrongFields++;
			if (examples.length < 5) examples.push(`${row.appdirectId}.${column}: ${JSON.stringify(row[column])}, expected ${JSON.stringify(value)}`);
		}
		// A listed resource: not removed, its last event "<type>.listed", as of its listing.
		if (row.removed !== false || row.lastEvent !== `${type.toLowerCase()}.listed` || !row.lastEventAt) {
			wrongFields++;
			if (examples.length < 5) examples.push(`${row.appdirectId}: tracking columns ${JSON.stringify([row.removed, row.lastEvent, row.lastEventAt])}`);
		}
	}
	const missing = [...expected.keys()].filter((id) => !seen.has(id));
	for (const id of missing.slice(0, Math.max(0, 5 - examples.length))) examples.push(`missing row ${id}`);
	const duplicated = [...seen.values()].filter((count) => count > 1).length;
	return {
		rows: rows.length,
		expected: expected.size,
		missing: missing.length,
		extra,
		duplicated,
		wrongFields,
		examples,
	};
}

export const isRight = (check) =>
	check.rows === check.expected && check.missing === 0 && check.extra === 0 && check.duplicated === 0 && check.wrongFields === 0;

/** Every table of the import, checked; `readRows(table)` gives a table's rows. */
export async function checkImport(api, tables, readRows) {
	const checks = {};
	for (const list of LISTS) checks[list.table] = checkTable(list.type, await readRows(tables[list.table]), api);
	return checks;
}
