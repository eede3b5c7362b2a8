import type { NotificationFields } from '../shared/item';
import { parseUrl } from '../shared/url';

const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The URL as the origin check normalises it, for comparison; undefined when it is not a URL. */
function normalised(url: unknown): string | undefined {
	const parsed = parseUrl(url);
	if (!parsed) return undefined;
	parsed.hash = '';
	return parsed.href;
}

/**
 * The notification fields of an input item that is the AppDirect Trigger's item about the resource
 * read at `readUrl`; undefined for any other item (no event, or about another URL), so nothing is
 * carried over from data that is not that notification.
 */
export function notificationOf(input: Record<string, unknown>, readUrl: string): NotificationFields | undefined {
	if (typeof input.event !== 'string' || input.event.length === 0) return undefined;
	if (normalised(input.resourceUrl) !== readUrl) return undefined;
	return {
		event: input.event,
		action: textOrNull(input.action),
		notificationId: textOrNull(input.notificationId),
		timestamp: numberOrNull(input.timestamp),
		occurredAt: textOrNull(input.occurredAt),
	};
}
