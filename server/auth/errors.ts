/** A request about users or tokens that cannot be carried out as asked; the message says what to do. */
export class AccessError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
