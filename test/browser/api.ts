/** REST calls a browser test makes behind the page's back (as the demo admin). */
import type { BrowserServer } from './server.ts';

/** Signs in as `user` and returns the session cookie header. */
export async function sessionCookie(server: BrowserServer, user: string): Promise<string> {
  const u = server.users.get(user);
  if (!u) throw new Error(`no demo user ${user}`);
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ username: u.name, password: u.password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${user} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  return cookie.join('; ');
}

/** Creates an access token (as the demo admin); returns its secret. */
export async function createToken(
  server: BrowserServer,
  body: { role: string; teams?: string[]; name?: string },
): Promise<string> {
  const cookie = await sessionCookie(server, 'demo-admin');
  const res = await fetch(`${server.url}/api/v1/admin/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, cookie },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`creating a token failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}
