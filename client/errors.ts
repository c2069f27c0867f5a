/** The client's typed errors: what a caller can tell apart and act on. */
export { ValidationError, type FieldIssue } from '../common/validation';

/** The subscription, transfer or payment does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request clashes with what exists (a duplicate that cannot attach, a concurrent change). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The workflow refused the operation in its current state; the message says why. */
export class RejectedError extends Error {
  override readonly name = 'RejectedError';
}
