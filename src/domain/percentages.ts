/**
 * Whole percentages for a results column, as close to adding up to 100 as honesty allows (largest remainder):
 * - equal counts always show the same percentage, so rounding never ranks a tie (1–1–1 is 33/33/33, not 34/33/33);
 * - a larger count never shows a smaller percentage than a smaller count;
 * - each share is within 1 of its exact value.
 * The column adds up to exactly 100 unless that would break the first rule; then it falls short by less than the
 * number of choices sharing the last remainder (1–1–1 adds up to 99). Falls back to plain rounding when the counts
 * do not add up to the total.
 */
export function wholePercentages(counts: readonly number[], total: number): number[] {
	if (total <= 0) return counts.map(() => 0);
	const exact = counts.map((count) => (count / total) * 100);
	const floors = exact.map(Math.floor);
	const sum = counts.reduce((acc, count) => acc + count, 0);
	if (sum !== total) return exact.map(Math.round);
	let missing = 100 - floors.reduce((acc, value) => acc + value, 0);
	// Choices with equal counts round together: a group gets its extra point only if every member of it can.
	const groups = new Map<number, number[]>();
	counts.forEach((count, index) => {
		groups.set(count, [...(groups.get(count) ?? []), index]);
	});
	const byRemainder = [...groups.entries()]
		.map(([count, indexes]) => ({
			count,
			indexes,
			remainder: (count / total) * 100 - Math.floor((count / total) * 100),
		}))
		.filter((group) => group.remainder > 0)
		.sort((a, b) => b.remainder - a.remainder || b.count - a.count);
	const result = [...floors];
	for (const { indexes } of byRemainder) {
		// Stopping (rather than skipping to a smaller group) keeps larger counts at or above smaller ones.
		if (indexes.length > missing) break;
		for (const index of indexes) result[index] = (result[index] ?? 0) + 1;
		missing -= indexes.length;
	}
	return result;
}
