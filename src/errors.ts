/** A failure the user caused or can fix. Its message is safe to show and says what to do. */
export class UserFacingError extends Error {
	override readonly name = 'UserFacingError';
}
