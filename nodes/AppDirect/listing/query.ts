/**
 * The query string of a listing's filters, only with filters AppDirect documents for that list:
 * asking for one it does not have is an error, never a silently unfiltered list.
 */
import type { ListEndpoint } from './endpoints';
import { ListingError } from './error';

export interface ListFilters {
	/** Only resources modified at or after this moment: ISO 8601 text, epoch ms, or a Date. */
	modifiedSince?: string | number | Date;
	/** One of the endpoint's status values, e.g. ACTIVE. */
	status?: string;
}

/** Epoch milliseconds of an ISO 8601 date or an epoch number; undefined when it is neither. */
export function epochMillisOf(value: string | number | Date): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text);
	// A date without a time zone would be read in the server's zone: require one (or a bare date, UTC).
	const match = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.exec(text);
	if (!match) return undefined;
	// Date.parse rolls 2026-02-30 over to March; a typo must not become another day.
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
	const millis = Date.parse(text);
	return Number.isNaN(millis) ? undefined : millis;
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/** `{ lastModified: '1764230380000', status: 'ACTIVE' }`: filter parameters as AppDirect names them. */
export function filterQuery(endpoint: ListEndpoint, filters: ListFilters = {}): Record<string, string> {
	const query: Record<string, string> = {};
	if (!isBlank(filters.modifiedSince)) {
		if (!endpoint.modifiedSince) {
			throw new ListingError(
				'filter-not-offered',
				`AppDirect cannot filter ${endpoint.resourceType} by modification date; list them all instead`,
			);
		}
		const millis = epochMillisOf(filters.modifiedSince as string | number | Date);
		if (millis === undefined) {
			throw new ListingError(
				'bad-filter',
				`Modified Since "${String(filters.modifiedSince)}" is not a date: use ISO 8601 with a time zone (2026-01-31T00:00:00Z) or epoch milliseconds`,
			);
		}
		query[endpoint.modifiedSince] = String(millis);
	}
	if (!isBlank(filters.status)) {
		const statuses = endpoint.statuses;
		if (!statuses) {
			throw new ListingError('filter-not-offered', `AppDirect cannot filter ${endpoint.resourceType} by status`);
		}
		const status = String(filters.status).trim().toUpperCase();
		if (!statuses.includes(status)) {
			throw new ListingError('bad-filter', `Status "${String(filters.status)}" is not one of ${statuses.join(', ')}`);
		}
		query.status = status;
	}
	return query;
}
