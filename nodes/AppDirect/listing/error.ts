/**
 * Why a listing stopped before it was complete. The node layer turns it into an n8n error; the
 * reason lets it (and tests) tell a malformed page from a refused filter.
 */
export type ListingFailure =
	| 'not-json'
	| 'not-a-page'
	| 'page-mismatch'
	| 'totals-shrank'
	| 'totals-contradict'
	| 'no-progress'
	| 'filter-not-offered'
	| 'bad-filter'
	| 'unknown-resource'
	| 'gave-up'
	| 'refused'
	| 'request-failed';

export class ListingError extends Error {
	constructor(
		readonly reason: ListingFailure,
		message: string,
		/** AppDirect's HTTP status, for `gave-up` and `refused`. */
		readonly status?: number,
		/** What the transport threw, for `request-failed`: the node explains it as for a single read. */
		cause?: unknown,
	) {
		super(message, cause === undefined ? undefined : { cause });
		this.name = 'ListingError';
	}
}
