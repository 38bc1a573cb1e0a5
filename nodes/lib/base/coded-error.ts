/**
 * Errors handed to node.error / done(err): Catch nodes show err.toString() as
 * msg.error.message and copy an own `code` property, so the text reads as
 * written (no "Error: " prefix) and flows can switch on msg.error.code.
 */
export interface CodedError extends Error {
  code: string;
}

export function codedError(message: string, code: string): CodedError {
  const err = new Error(message) as CodedError;
  err.code = code;
  err.toString = () => message;
  return err;
}
