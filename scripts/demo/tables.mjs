// Reads the demo's Data Tables back and prints them as compact text tables.

/** Every row of a Data Table through the public API, oldest first. */
export async function readRows(n8n, tableId) {
	const rows = [];
	let cursor;
	do {
		const query = new URLSearchParams({ limit: '250', ...(cursor && { cursor }) });
		const page = await n8n.api('GET', `/data-tables/${tableId}/rows?${query}`);
		rows.push(...(page.data ?? []));
		cursor = page.nextCursor;
	} while (cursor);
	return rows.sort((a, b) => a.id - b.id);
}

const shortId = (id) => (typeof id === 'string' && id.length > 12 ? `${id.slice(0, 8)}…` : (id ?? ''));
const yesNo = (value) => (value === true ? 'yes' : value === false ? 'no' : '');
const text = (value) => (value === null || value === undefined ? '' : String(value));
const money = (row) => (typeof row.totalPrice === 'number' ? `${row.totalPrice.toFixed(2)} ${text(row.currency)}`.trim() : '');

/** What each table shows: the columns a Marketplace Manager looks at first. */
export const VIEWS = {
	companies: [
		['AppDirect id', (r) => shortId(r.appdirectId)],
		['name', (r) => text(r.name)],
		['enabled', (r) => yesNo(r.enabled)],
		['city', (r) => text(r.city)],
		['country', (r) => text(r.country)],
		['removed', (r) => yesNo(r.removed)],
		['last event', (r) => text(r.lastEvent)],
	],
	contacts: [
		['AppDirect id', (r) => shortId(r.appdirectId)],
		['email', (r) => text(r.email)],
		['name', (r) => [r.firstName, r.lastName].filter(Boolean).join(' ')],
		['status', (r) => text(r.status)],
		['removed', (r) => yesNo(r.removed)],
		['last event', (r) => text(r.lastEvent)],
	],
	subscriptions: [
		['AppDirect id', (r) => shortId(r.appdirectId)],
		['status', (r) => text(r.status)],
		['seats', (r) => text(r.seats)],
		['price', money],
		['billing', (r) => text(r.frequency)],
		['removed', (r) => yesNo(r.removed)],
		['last event', (r) => text(r.lastEvent)],
	],
};

/** Lines of a plain-text table, indented; "(no rows)" when empty. */
export function formatTable(rows, view, indent = '  ') {
	if (rows.length === 0) return [`${indent}(no rows)`];
	const cells = [view.map(([header]) => header), ...rows.map((row) => view.map(([, cell]) => cell(row)))];
	const widths = view.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
	return cells.map((line) => indent + line.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}
