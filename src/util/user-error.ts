/**
 * An error whose message says everything the user needs (an unreachable server, a server without
 * JetStream, a corrupt file named in the message): a command prints its one line, no stack.
 */
export class UserError extends Error {
  override name = 'UserError';
}
