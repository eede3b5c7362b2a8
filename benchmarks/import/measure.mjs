// Pure arithmetic of `npm run bench:import`: the time AppDirect's rate limit sets for a number of
// requests, and what the stand-in's request log says about one run.

/** AppDirect's documented bucket: 20 requests, leaking 5 per second. */
export const BUCKET = { size: 20, perSecond: 5 };

/**
 * The shortest time in which `requests` can pass a leaky bucket that starts empty: the first
 * `size` go at once (the burst), every further one waits for a leak. That is the bound the rate
 * limit sets; `requests / perSecond` is the same without the burst (the figure for a long run).
 */
export function rateLimitBound(requests, bucket = BUCKET) {
	if (!Number.isInteger(requests) || requests < 0) throw new RangeError(`requests must be a whole number >= 0, not ${requests}`);
	return {
		withBurstS: Math.max(0, requests - bucket.size) / bucket.perSecond,
		withoutBurstS: requests / bucket.perSecond,
	};
}

function countBy(entries, keyOf) {
	const counts = {};
	for (const entry of entries) counts[keyOf(entry)] = (counts[keyOf(entry)] ?? 0) + 1;
	return counts;
}

/**
 * The `/api/` requests of a run in the stand-in's log (entries `{ at, path, status }`): how many
 * went through the bucket, how many it refused (429), and when the first and last were answered.
 */
export function requestSummary(entries) {
	const api = entries.filter((entry) => entry.path.startsWith('/api/'));
	const times = api.map((entry) => Date.parse(entry.at));
	return {
		sent: api.length,
		refused: api.filter((entry) => entry.status === 429).length,
		admitted: api.filter((entry) => entry.status !== 429).length,
		failed: api.filter((entry) => entry.status !== 429 && (entry.status < 200 || entry.status >= 300)).length,
		tokenRequests: entries.filter((entry) => entry.path === '/oauth2/token').length,
		byList: countBy(api, (entry) => entry.path.replace(/\/companies\/[^/]+\//, '/companies/{id}/')),
		firstAt: times.length ? Math.min(...times) : undefined,
		lastAt: times.length ? Math.max(...times) : undefined,
	};
}
