/** A JSON object (not an array, not null): what AppDirect sends for a resource or an envelope. */
export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
