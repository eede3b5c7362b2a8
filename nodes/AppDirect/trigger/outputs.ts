/**
 * Which outputs the node has, and which one a notification leaves on.
 *
 * n8n stores a connection by output position, and its editor moves connections along with
 * their output only for n8n's own Switch node; for any other node it keeps each connection at
 * its position and drops it only when that position no longer exists. So the layout is built so
 * that adding never moves an output: "Other" comes first (its position depends on no event), and
 * the events (* included) follow in the order they were selected, a new one at the end. Removing an event
 * still moves the outputs after it, which only a notice in the panel can tell the user.
 *
 * `outputLayout` runs in two places: in the webhook, and inside the node description's
 * `outputs` expression, which the editor evaluates to draw the outputs. There it is
 * stringified, so it must not refer to anything outside itself: helpers come in as arguments.
 */

export type SplitBy = 'event' | 'resource' | 'none';
export type Unmatched = 'ignore' | 'otherOutput';

export interface OutputSettings {
	events?: unknown;
	splitBy?: unknown;
	unmatched?: unknown;
}

export interface OutputSlot {
	type: 'main';
	/** Event name, event prefix, `*`, `#all` or `#other`: what `slotKey` returns. */
	key: string;
	displayName: string;
}

const OTHER_SLOT = '#other';
const SINGLE_SLOT = '#all';

export function outputLayout(settings: OutputSettings, title: (key: string) => string): OutputSlot[] {
	const events: string[] = [];
	if (Array.isArray(settings.events)) {
		for (const value of settings.events) {
			if (typeof value === 'string' && value !== '' && events.indexOf(value) === -1) events.push(value);
		}
	}
	const slots: OutputSlot[] = [];
	const add = (key: string, displayName: string) => {
		for (const slot of slots) if (slot.key === key) return;
		slots.push({ type: 'main', key, displayName });
	};
	// With "Other" on, * adds no output: everything not selected on its own goes to "Other".
	const other = settings.unmatched === 'otherOutput';
	if (other) add('#other', 'Other');
	if (settings.splitBy === 'none') {
		add('#all', 'Events');
	} else {
		for (const event of events) {
			if (event === '*') {
				if (!other) add('*', events.length === 1 ? 'All Events' : 'All Other Events');
			}
			else if (settings.splitBy === 'resource') add(event.split('.')[0], title(event.split('.')[0]));
			else add(event, title(event));
		}
	}
	return slots;
}

/** The slot key a notification belongs to, or null when nothing selected it. */
function slotKey(settings: OutputSettings, event: string): string | null {
	const events = Array.isArray(settings.events) ? settings.events : [];
	if (events.includes(event)) {
		if (settings.splitBy === 'none') return SINGLE_SLOT;
		return settings.splitBy === 'resource' ? event.split('.')[0] : event;
	}
	if (settings.unmatched === 'otherOutput') return OTHER_SLOT;
	if (!events.includes('*')) return null;
	return settings.splitBy === 'none' ? SINGLE_SLOT : '*';
}

/** Index of the output a notification leaves on, or -1 when it is not wanted. */
export function outputIndex(slots: readonly OutputSlot[], settings: OutputSettings, event: string): number {
	const key = slotKey(settings, event);
	return key === null ? -1 : slots.findIndex((slot) => slot.key === key);
}

/** The `outputs` expression of the node description, evaluated by n8n with `$parameter`. */
export function outputsExpression(title: (key: string) => string): `={{${string}}}` {
	return `={{(${outputLayout.toString()})($parameter, ${title.toString()})}}`;
}
