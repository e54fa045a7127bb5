// The agent session token of an `Authorization: Bearer …` header, as every agent HTTP route reads it.

/** The token, or undefined when the header is missing or not a well-formed bearer token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return match?.[1];
}
