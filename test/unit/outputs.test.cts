import { titleOf } from '../../nodes/AppDirect/shared/catalog';
import { outputIndex, outputLayout, outputsExpression } from '../../nodes/AppDirect/trigger/outputs';
import { outputNames } from '../helpers/n8n.cjs';

const names = (settings: Parameters<typeof outputLayout>[0]) => outputLayout(settings, titleOf).map((slot) => slot.displayName);
const indexOf = (settings: Parameters<typeof outputLayout>[0], event: string) =>
	outputIndex(outputLayout(settings, titleOf), settings, event);

describe('outputs', () => {
	const perEvent = { events: ['subscription.added', 'subscription.removed', 'user.added'], splitBy: 'event', unmatched: 'ignore' };

	it('gives each selected event its own output, in the stored order', () => {
		expect(names(perEvent)).toEqual(['Subscription Added', 'Subscription Removed', 'User Added']);
		expect(indexOf(perEvent, 'subscription.added')).toBe(0);
		expect(indexOf(perEvent, 'subscription.removed')).toBe(1);
		expect(indexOf(perEvent, 'user.added')).toBe(2);
		expect(indexOf(perEvent, 'subscription.changed')).toBe(-1);
		expect(indexOf(perEvent, 'widget.added')).toBe(-1);
	});

	it('adds a first "Other" output for unselected and unknown events when asked', () => {
		const settings = { ...perEvent, unmatched: 'otherOutput' };
		expect(names(settings)).toEqual(['Other', 'Subscription Added', 'Subscription Removed', 'User Added']);
		expect(indexOf(settings, 'subscription.changed')).toBe(0);
		expect(indexOf(settings, 'widget.added')).toBe(0);
		expect(indexOf(settings, 'user.archived')).toBe(0);
		expect(indexOf(settings, 'user.added')).toBe(3);
	});

	it('groups by resource type', () => {
		const settings = { ...perEvent, splitBy: 'resource', unmatched: 'otherOutput' };
		expect(names(settings)).toEqual(['Other', 'Subscription', 'User']);
		expect(indexOf(settings, 'subscription.removed')).toBe(1);
		expect(indexOf(settings, 'user.added')).toBe(2);
		expect(indexOf(settings, 'user.removed')).toBe(0);
	});

	// n8n keeps a connection at its output position when the outputs change (see outputs.ts).
	describe('selecting one more event never moves an output', () => {
		const layouts = ['event', 'resource', 'none'].flatMap((splitBy) =>
			['ignore', 'otherOutput'].flatMap((unmatched) =>
				[[], ['subscription.added'], ['subscription.added', 'user.removed'], ['*', 'user.removed'], ['user.removed', '*']].map((events) => ({ events, splitBy, unmatched })),
			),
		);
		const keys = (settings: Parameters<typeof outputLayout>[0]) => outputLayout(settings, titleOf).map((slot) => slot.key);

		it.each(layouts.map((settings) => [JSON.stringify(settings), settings] as const))('%s', (_name, settings) => {
			for (const added of ['company.changed', 'subscription.removed', 'user.added', '*']) {
				const before = keys(settings);
				const after = keys({ ...settings, events: [...settings.events, added] });
				expect({ added, kept: after.slice(0, before.length) }).toEqual({ added, kept: before });
			}
		});

		it('removing an event moves only the outputs selected after it', () => {
			const before = keys({ ...perEvent, unmatched: 'otherOutput' });
			const after = keys({ ...perEvent, events: ['subscription.added', 'user.added'], unmatched: 'otherOutput' });
			expect(before).toEqual(['#other', 'subscription.added', 'subscription.removed', 'user.added']);
			expect(after).toEqual(['#other', 'subscription.added', 'user.added']);
		});
	});

	it('puts everything selected on a single output', () => {
		const settings = { ...perEvent, splitBy: 'none' };
		expect(names(settings)).toEqual(['Events']);
		expect(indexOf(settings, 'user.added')).toBe(0);
		expect(indexOf(settings, 'user.removed')).toBe(-1);
		expect(names({ ...settings, unmatched: 'otherOutput' })).toEqual(['Other', 'Events']);
		expect(indexOf({ ...settings, unmatched: 'otherOutput' }, 'user.removed')).toBe(0);
	});

	it('sends everything to "All Events" with *, and what is not selected separately to "All Other Events"', () => {
		expect(indexOf({ events: ['*'], splitBy: 'event' }, 'widget.added')).toBe(0);
		const mixed = { events: ['user.added', '*'], splitBy: 'event', unmatched: 'ignore' };
		expect(names(mixed)).toEqual(['User Added', 'All Other Events']);
		expect(indexOf(mixed, 'user.added')).toBe(0);
		expect(indexOf(mixed, 'company.added')).toBe(1);
		expect(indexOf(mixed, 'widget.archived')).toBe(1);
		const grouped = { events: ['user.added', '*'], splitBy: 'resource' };
		expect(names(grouped)).toEqual(['User', 'All Other Events']);
		expect(indexOf(grouped, 'user.removed')).toBe(1);
		expect(indexOf({ events: ['*'], splitBy: 'none' }, 'quote.added')).toBe(0);
	});

	it('with "Other" on, * adds no output of its own: "Other" gets what is not selected on its own', () => {
		expect(names({ events: ['*'], splitBy: 'event', unmatched: 'otherOutput' })).toEqual(['Other']);
		const mixed = { events: ['user.added', '*'], splitBy: 'event', unmatched: 'otherOutput' };
		expect(names(mixed)).toEqual(['Other', 'User Added']);
		expect(indexOf(mixed, 'user.added')).toBe(1);
		expect(indexOf(mixed, 'company.added')).toBe(0);
		expect(indexOf(mixed, 'widget.archived')).toBe(0);
		const single = { events: ['user.added', '*'], splitBy: 'none', unmatched: 'otherOutput' };
		expect(names(single)).toEqual(['Other', 'Events']);
		expect([indexOf(single, 'user.added'), indexOf(single, 'company.added')]).toEqual([1, 0]);
	});

	it('copes with missing, duplicate and odd values', () => {
		expect(names({})).toEqual([]);
		expect(names({ events: 'user.added' })).toEqual([]);
		expect(names({ events: ['user.added', 'user.added', '', 3] })).toEqual(['User Added']);
		expect(indexOf({}, 'user.added')).toBe(-1);
	});

	describe('as an n8n expression', () => {
		it('is evaluated by n8n-workflow into the same named outputs', () => {
			expect(outputNames({ events: ['subscription.added', 'user.removed'], unmatched: 'otherOutput' })).toEqual([
				'Other',
				'Subscription Added',
				'User Removed',
			]);
			expect(outputNames({ events: ['app_assignment.changed', 'company.added'], splitBy: 'resource' })).toEqual([
				'App Assignment',
				'Company',
			]);
			expect(outputNames({ events: ['user.added'], splitBy: 'none', unmatched: 'otherOutput' })).toEqual(['Other', 'Events']);
		});

		it('uses the parameter defaults when the workflow stores none', () => {
			expect(outputNames({})).toEqual(['All Events']);
		});

		it('contains nothing n8n’s expression syntax forbids', () => {
			const body = outputsExpression(titleOf).slice(3, -2);
			expect(body).not.toContain('}}');
			expect(body).not.toContain('.constructor');
		});
	});
});
