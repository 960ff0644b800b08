// What a person reads when the graph says no: every code the API returns, in plain words.
import type { GraphQLError } from './graphql/client';

export function describe(error: GraphQLError): string {
  const code = error.extensions?.code;
  switch (code) {
    case 'BAD_USER_INPUT':
      if (/quantity|at most/i.test(error.message)) return 'You can have between 1 and 99 of an item in your cart.';
      if (/there is no product/i.test(error.message)) return 'That product is no longer available.';
      if (/not in the cart/i.test(error.message)) return 'That item is no longer in your cart.';
      return `That did not work: ${error.message}`;
    case 'UNAUTHENTICATED':
      return 'Please sign in to use your cart.';
    case 'FORBIDDEN':
      return 'Your sign-in does not allow changing the cart. Please sign in again.';
    case 'NOT_FOUND':
      return 'We could not find that.';
    case 'SERVICE_UNAVAILABLE':
      return 'Part of the shop is unavailable right now. Please try again in a moment.';
    case 'MAX_DEPTH_EXCEEDED':
    case 'MAX_ALIASES_EXCEEDED':
    case 'TOKEN_LIMIT_EXCEEDED':
    case 'MAX_DIRECTIVES_EXCEEDED':
      return 'That request was too large for the shop to answer.';
    default:
      return 'Something went wrong on our side. Please try again.';
  }
}

/** The first error's description, or null when there is none. */
export function firstProblem(errors: GraphQLError[]): string | null {
  return errors.length > 0 ? describe(errors[0]) : null;
}
