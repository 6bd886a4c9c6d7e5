const REDACTED = "<redacted>";

/** A URL's password and query string (API keys ride there) never leave the process. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = REDACTED;
    for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, REDACTED);
    return url.toString();
  } catch {
    return REDACTED;
  }
}

/** The effective config as `config show` prints it: every URL redacted, the rest as is. */
export function redactConfig(value: unknown): unknown {
  if (typeof value === "string") return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map(redactConfig);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactConfig(inner)]));
  }
  return value;
}
