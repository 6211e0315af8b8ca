/**
 * Whole percentages that add up to exactly 100 when the counts add up to the total (largest remainder), so a
 * reader adding the column never finds 99 or 101. Falls back to plain rounding when they do not add up.
 */
export function wholePercentages(counts: readonly number[], total: number): number[] {
	if (total <= 0) return counts.map(() => 0);
	const exact = counts.map((count) => (count / total) * 100);
	const floors = exact.map(Math.floor);
	const sum = counts.reduce((acc, count) => acc + count, 0);
	if (sum !== total) return exact.map(Math.round);
	let missing = 100 - floors.reduce((acc, value) => acc + value, 0);
	const byRemainder = exact
		.map((value, index) => ({ index, remainder: value - Math.floor(value) }))
		.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
	const result = [...floors];
	for (const { index } of byRemainder) {
		if (missing <= 0) break;
		result[index] = (result[index] ?? 0) + 1;
		missing--;
	}
	return result;
}
