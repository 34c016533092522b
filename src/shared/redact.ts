/**
 * @module Redaction of secrets in URLs before they are printed or logged: the password in `user:password@`,
 * and the values of query parameters that carry credentials (`token`, `api_key`, `access_token`, `sig`, …).
 */

/** What a redacted secret reads as. */
export const REDACTED = '***';

/** Query parameter names whose values are credentials (matched case-insensitively, on the whole name or a `_`/`-` part). */
const SECRET_PARAMETER =
  /^(?:.*[_-])?(?:token|key|apikey|secret|password|passwd|pwd|auth|authorization|signature|sig|credential|credentials|session|code|jwt)$/i;

/**
 * `url` with its password and credential-bearing query values replaced by `***` (the user name is kept: it
 * says which account, not how to get in). A string that is not a URL is returned unchanged.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = REDACTED;
    changed = true;
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name) && parsed.searchParams.get(name) !== REDACTED) {
      parsed.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // Unchanged URLs are returned as given, not re-serialised (which would normalise them).
  return changed ? parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED) : url;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** `text` with every URL in it redacted as {@link redactUrl} does: for error messages that quote a URL. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
