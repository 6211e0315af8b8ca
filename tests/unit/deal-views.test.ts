import { describe, expect, it } from 'vitest';
import { decodeCustomId } from '../../src/discord/custom-id.js';
import { DEAL_VIEWS, dealPages, renderDeal } from '../../src/discord/views/deal.js';
import { loadLibrary } from '../../src/library.js';
import { checkAllowedMentions, checkMessageLimits } from '../../src/local/standin/limits.js';

const library = loadLibrary();

/** What Discord would receive: the embeds and components as JSON, with allowed_mentions. */
function asDiscordBody(message: ReturnType<typeof renderDeal>) {
	return { embeds: message.embeds, components: message.components, allowed_mentions: message.allowedMentions };
}

function pageText(dealId: string, view: (typeof DEAL_VIEWS)[number]): string {
	const deal = library.dealById.get(dealId);
	if (!deal) throw new Error(dealId);
	return dealPages(deal, library.publishers, view)
		.map((embed) =>
			[embed.description ?? '', ...(embed.fields ?? []).map((field) => `${field.name}\n${field.value}`)].join('\n'),
		)
		.join('\n')
		.replace(/ …\n… /g, ' ');
}

describe('deal views', () => {
	it('covers all fifteen deals, oldest first', () => {
		expect(library.deals.map((deal) => deal.id)).toEqual([
			'jdd1992',
			'jun1993',
			'af1994',
			'summit2000',
			'communique2000',
			'sixparty2005',
			'feb2007',
			'summit2007',
			'oct2007',
			'leapday2012',
			'panmunjom2018',
			'singapore2018',
			'pyongyang2018',
			'hanoi2019',
			'stockholm2019',
		]);
	});

	for (const deal of library.deals) {
		for (const view of DEAL_VIEWS) {
			it(`${deal.id} / ${view}: every page is within Discord's limits and its buttons decode`, () => {
				const pages = dealPages(deal, library.publishers, view);
				for (let page = 0; page < pages.length; page += 1) {
					const body = asDiscordBody(renderDeal(deal, library.publishers, view, page));
					expect(checkMessageLimits(body)).toEqual([]);
					expect(checkAllowedMentions(body)).toBeUndefined();
					for (const row of body.components) {
						for (const component of row.components) {
							if ('custom_id' in component) expect(decodeCustomId(component.custom_id)).toBeDefined();
						}
					}
				}
			});
		}
	}

	it('shows every commitment, event, lesson and source in full somewhere (nothing cut silently)', () => {
		for (const deal of library.deals) {
			const commitments = pageText(deal.id, 'commitments');
			for (const commitment of deal.commitments) expect(commitments).toContain(commitment.text);
			const timeline = pageText(deal.id, 'timeline');
			for (const event of deal.events) expect(timeline).toContain(event.text);
			const lessons = pageText(deal.id, 'lessons');
			for (const lesson of deal.lessons) expect(lessons).toContain(lesson.text);
			for (const camp of ['pressure', 'compromise'] as const) {
				expect(lessons).toContain(deal.cases[camp].summary);
				for (const point of deal.cases[camp].points) {
					expect(lessons).toContain(point.text);
					expect(lessons).toContain(point.voice.name);
				}
			}
			const sources = pageText(deal.id, 'sources');
			for (const source of deal.sources) expect(sources).toContain(source.url);
		}
	});

	it('numbers citations to match the Sources view', () => {
		const deal = library.dealById.get('leapday2012');
		if (!deal) throw new Error('leapday2012 missing');
		const firstSource = deal.sources[0];
		if (!firstSource) throw new Error('no sources');
		expect(pageText('leapday2012', 'sources')).toContain(
			`**1.** [${library.publishers.byId.get(firstSource.publisher)?.name}: ${firstSource.title.replace(/[[\]]/g, '')}](${firstSource.url})`,
		);
	});

	it('the leap day card states the facts a member checks first', () => {
		const deal = library.dealById.get('leapday2012');
		if (!deal) throw new Error('leapday2012 missing');
		const card = JSON.stringify(renderDeal(deal, library.publishers).embeds);
		for (const fact of [
			'29 February 2012',
			'nuclear tests',
			'long-range missile',
			'uranium enrichment at Yongbyon',
			'IAEA',
			'240,000',
			'satellite',
			'no joint text',
			'U.S. would provide 240,000 tons',
		]) {
			expect(card).toContain(fact);
		}
	});

	it('an out-of-range page shows the nearest real page', () => {
		const deal = library.dealById.get('af1994');
		if (!deal) throw new Error('af1994 missing');
		const pages = dealPages(deal, library.publishers, 'timeline');
		expect(renderDeal(deal, library.publishers, 'timeline', 99).embeds[0]).toEqual(
			renderDeal(deal, library.publishers, 'timeline', pages.length - 1).embeds[0],
		);
	});
});
