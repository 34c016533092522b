/**
 * A failure the model should read and act on: not found, invalid in this state, over a limit. Domain code
 * throws it; the tool wrapper turns it into an `isError` result. Anything else is an internal error.
 */
export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolFailure';
  }
}
