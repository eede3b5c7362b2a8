// Typed access to the shared sample notifications in samples/ (plain JS, used by scripts too).
const samples = require('../../samples/index.js') as {
	sampleTypes(): string[];
	sampleNotification(event: string, options?: { fresh?: boolean }): Record<string, any>;
	largeSubscription(lines: number): Record<string, any>;
};

export const { sampleTypes, sampleNotification, largeSubscription } = samples;
