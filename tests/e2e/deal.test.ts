import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrySession } from '../../src/local/session.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('/deal and /deals through the stand-in', () => {
	let session: TrySession;
	beforeAll(async () => {
		session = await TrySession.start();
	});
	afterAll(async () => {
		await session.stop();
	});

	it('/deal leapday answers in the channel with the facts and sources', async () => {
		const result = await session.run('/deal leapday');
		expect(result.ok).toBe(true);
		const reply = result.outputs[0];
		expect(reply?.kind).toBe('reply');
		expect(reply?.message?.visibleTo).toBeNull();
		for (const fact of [
			'Leap Day Deal (2012)',
			'29 February 2012',
			'nuclear tests',
			'long-range missile launches',
			'uranium enrichment at Yongbyon',
			'IAEA inspectors',
			'240,000 metric tons',
			'satellite',
			'North Korea committed to',
			'The United States committed to',
			'said, in its own statement only, that the United States would',
			'No joint text',
			'Sources',
		]) {
			expect(result.text).toContain(fact);
		}
		// No joint text: a link to each side's own statement instead of "Read the primary text".
		expect(result.text).toMatch(/\[U\.S\. statement\] ↗ https?:\/\//);
		expect(result.text).toMatch(/\[North Korea’s statement\] ↗ https?:\/\//);
	});

	it.each([
		['an alias', '/deal geneva framework', 'Agreed Framework (1994)'],
		['a typo', '/deal leap dya', 'Leap Day Deal (2012)'],
		['another typo', '/deal agred framework', 'Agreed Framework (1994)'],
		['a date', '/deal feb 29', 'Leap Day Deal (2012)'],
		['a year', '/deal 2012', 'Leap Day Deal (2012)'],
	])('finds a deal from %s', async (_label, line, title) => {
		const result = await session.run(line);
		expect(result.ok).toBe(true);
		expect(result.text).toContain(`**${title}**`);
	});

	it('asks which one for an ambiguous query and shows the pick', async () => {
		const result = await session.run('/deal 9/19');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('“9/19” matches 2 deals');
		expect(result.text).toContain('Six-Party Joint Statement');
		expect(result.text).toContain('Pyongyang Joint Declaration');
		expect(result.outputs[0]?.message?.visibleTo).not.toBeNull();
		const picked = await session.run('choose "Pick a deal" pyongyang2018');
		expect(picked.ok).toBe(true);
		expect(picked.text).toContain('**Pyongyang Joint Declaration (2018)**');
		expect(picked.text).not.toContain('matches 2 deals');
	});

	it('says "No deal matches" with the closest suggestions for an unknown query', async () => {
		const result = await session.run('/deal pizza @everyone');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('No deal matches “pizza @\u200beveryone”');
		expect(result.text).toMatch(/Closest: \*\*.+\*\* \(\d{4}\)/);
		const suggestion = result.outputs[0]?.message?.components;
		expect(JSON.stringify(suggestion)).toContain('deal:show:');
	});

	it('view buttons on a shared card open a private copy; on the private copy they switch in place', async () => {
		await session.run('/deal hanoi');
		const first = await session.run('as alice click Commitments');
		expect(first.ok).toBe(true);
		expect(first.outputs[0]?.kind).toBe('reply');
		expect(first.text).toContain('only alice can see this');
		expect(first.text).toContain('North Korea offered to');
		expect(first.text).toContain('North Korea asked the United States to');
		expect(first.text).toContain('The United States asked North Korea to');
		expect(first.text).not.toMatch(/(The United States|North Korea) committed to/);
		const second = await session.run('as alice click Sources');
		expect(second.outputs[0]?.kind).toBe('update');
		expect(second.text).toMatch(/\*\*1\.\*\* \[.+\]\(https?:\/\//);
	});

	it('long views page without cutting anything', async () => {
		await session.run('/deal agreed framework view:sources');
		const next = await session.run('as bob click Next page');
		expect(next.ok).toBe(true);
		expect(next.text).toMatch(/Page 2 of \d/);
		const back = await session.run('as bob click Previous page');
		expect(back.text).toMatch(/Page 1 of \d/);
	});

	it('autocompletes names ranked by what is typed', async () => {
		const result = await session.run('complete /deal name:sing');
		expect(result.outputs[0]?.choices?.[0]).toEqual({
			name: 'Singapore Summit Statement — 12 Jun 2018',
			value: 'singapore2018',
		});
		const topic = await session.run('complete /deal name:yongb');
		const values = topic.outputs[0]?.choices?.map((choice) => choice.value) ?? [];
		expect(values).toEqual(expect.arrayContaining(['af1994', 'leapday2012', 'hanoi2019']));
		const all = await session.run('complete /deal name:');
		expect(all.outputs[0]?.choices).toHaveLength(15);
	});

	it('/deals lists every deal in order with a timeline image attached', async () => {
		const result = await session.run('/deals');
		expect(result.ok).toBe(true);
		// A new picture is drawn in the chart pool, so the answer may be deferred and then filled in.
		const message = result.outputs.filter((output) => output.message !== null).at(-1)?.message;
		const years = [...result.text.matchAll(/`(\d{4})` \*\*/g)].map((match) => Number(match[1]));
		expect(years).toHaveLength(15);
		expect(result.text).toContain('Nuclear and peace deals on the Korean Peninsula, 1992–2019');
		expect([...years].sort()).toEqual(years);
		for (const name of ['Agreed Framework', 'Leap Day Deal', 'Hanoi Summit', 'Stockholm'])
			expect(result.text).toContain(name);
		const attachment = message?.attachments[0];
		expect(attachment?.filename).toBe('deals-timeline.png');
		expect(attachment?.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
	});

	it('/deals filters, and explains filters that match nothing', async () => {
		const korean = await session.run('/deals party:ROK from:2018');
		expect(korean.text).toContain('Panmunjom Declaration');
		expect(korean.text).toContain('Deals with South Korea, 2018');
		expect(korean.text).not.toContain('U.S.–North Korea nuclear deals');
		expect(korean.text).not.toContain('Singapore');
		const single = await session.run('/deals from:1994 to:1994');
		expect(single.text).toContain('Nuclear and peace deals on the Korean Peninsula, 1994');
		expect(single.text).not.toMatch(/1994 \(1994/);
		const none = await session.run('/deals from:1950 to:1960');
		expect(none.text).toContain('No deals in 1950–1960');
		expect(none.outputs[0]?.message?.visibleTo).not.toBeNull();
	});

	it('Stockholm says who asked whom for what and each side’s account, with both statements linked', async () => {
		const result = await session.run('/deal stockholm view:commitments');
		expect(result.ok).toBe(true);
		expect(result.text).toContain('North Korea asked the United States to');
		expect(result.text).not.toMatch(/(The United States|North Korea) committed to/);
		expect(result.text).toMatch(/\[U\.S\. statement\] ↗ https?:\/\//);
		expect(result.text).toMatch(/\[North Korea’s statement\] ↗ https?:\/\//);
	});

	it('Panmunjom shows the joint pledges as both Koreas’, not South Korea’s', async () => {
		const result = await session.run('/deal panmunjom');
		expect(result.text).toContain('Both Koreas agreed to');
		expect(result.text).not.toContain('South Korea committed to');
	});

	it.each([
		['yongbyon', ['Agreed Framework', 'Hanoi']],
		['kedo', ['Agreed Framework']],
		['6 party', ['Six-Party Joint Statement']],
		['sanctions', ['Hanoi']],
	])('/deal %s lists the deals involved, privately', async (topic, names) => {
		const result = await session.run(`/deal ${topic}`);
		expect(result.ok).toBe(true);
		expect(result.text).toMatch(new RegExp(`deals? involves? “${topic}”`));
		for (const name of names) expect(result.text).toContain(name);
		expect(result.outputs[0]?.message?.visibleTo).toEqual(expect.any(String));
	});

	it('a one- or two-letter query never posts a public card', async () => {
		for (const query of ['a', 'af', '9']) {
			const result = await session.run(`/deal ${query}`);
			expect(result.ok).toBe(true);
			expect(result.outputs[0]?.message?.visibleTo, query).toEqual(expect.any(String));
			expect(result.text).not.toContain('**Agreed Framework (1994)**');
		}
	});

	it('the lessons view shows both camps side by side by named advocates, and says how the order is chosen', async () => {
		const result = await session.run('/deal hanoi view:lessons');
		expect(result.text).toContain('The case for pressure');
		expect(result.text).toContain('The case for compromise');
		expect(result.text).toContain('the order alternates by year');
		expect(result.text).not.toMatch(/Senior State Department official/);
	});

	it('sent nothing Discord would reject', () => {
		expect(session.standIn.violations).toEqual([]);
	});
});
