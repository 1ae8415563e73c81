import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One address as GitHub's `GET /user/emails` lists it. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: 'public' | 'private' | null;
}

/** A GitHub account the stand-in signs in. */
export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  emails: GitHubEmail[];
}

/** Ready-made accounts for the cases that matter. */
export const GITHUB_USERS = {
  primaryVerified: (): GitHubUser => ({
    id: 583231,
    login: 'octocat',
    name: 'The Octocat',
    emails: [
      { email: 'octo.old@example.com', primary: false, verified: true, visibility: null },
      { email: 'octocat@example.com', primary: true, verified: true, visibility: 'public' },
    ],
  }),
  primaryUnverified: (): GitHubUser => ({
    id: 9001,
    login: 'newcomer',
    name: null,
    emails: [
      { email: 'newcomer@example.com', primary: true, verified: false, visibility: 'private' },
      { email: 'other@example.com', primary: false, verified: true, visibility: null },
    ],
  }),
  noEmails: (): GitHubUser => ({ id: 4242, login: 'ghost', name: null, emails: [] }),
};

export type GitHubEndpoint = 'authorize' | 'access_token' | 'user' | 'emails';

interface Grant {
  user: GitHubUser;
  redirectUri: string;
  challenge?: string;
  method?: string;
}

/**
 * A small GitHub on 127.0.0.1: `/login/oauth/authorize` (approves at once as {@link user}
 * and redirects back with `code` and `state`), `/login/oauth/access_token` (checks the client
 * secret, the single-use code, the redirect URI and the PKCE verifier, and answers the way
 * GitHub does: HTTP 200 with `error=` in the body), and under `/api/v3` (as GitHub Enterprise
 * Server lays it out) `GET /user` and `GET /user/emails`.
 */
export class GitHubStandIn {
  /** Who signs in at the next authorizations. */
  user: GitHubUser = GITHUB_USERS.primaryVerified();
  readonly authorizationRequests: URLSearchParams[] = [];
  readonly tokenRequests: URLSearchParams[] = [];

  private readonly grants = new Map<string, Grant>();
  private readonly tokens = new Map<string, GitHubUser>();
  private denials: string[] = [];
  private readonly delays = new Map<GitHubEndpoint, number>();
  private readonly overrides = new Map<GitHubEndpoint, { status: number; body: string }>();

  private readonly server: Server;
  private origin = '';

  private constructor(private readonly client: { id: string; secret: string }) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts on a free loopback port. */
  static async start(
    client = { id: 'github-client', secret: 'github-secret' },
  ): Promise<GitHubStandIn> {
    const standIn = new GitHubStandIn(client);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.origin = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  /** GITHUB_BASE_URL: where `/login/oauth/*` lives. */
  get baseUrl(): string {
    return this.origin;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/v3`;
  }

  /** The GITHUB_* settings that point the GitHub provider here. */
  env(secret = this.client.secret): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.client.id,
      GITHUB_CLIENT_SECRET: secret,
      GITHUB_BASE_URL: this.baseUrl,
      GITHUB_API_URL: this.apiUrl,
    };
  }

  /** The next authorization redirects back with `error` (default `access_denied`). */
  denyNext(error = 'access_denied'): void {
    this.denials.push(error);
  }

  /** Every request to `endpoint` waits `ms` before it is answered (0 = no delay). */
  delay(endpoint: GitHubEndpoint, ms: number): void {
    if (ms > 0) this.delays.set(endpoint, ms);
    else this.delays.delete(endpoint);
  }

  /** The next request to `endpoint` gets this raw answer instead (a broken GitHub). */
  answerNext(endpoint: GitHubEndpoint, status: number, body: string): void {
    this.overrides.set(endpoint, { status, body });
  }

  reset(): void {
    this.denials = [];
    this.delays.clear();
    this.overrides.clear();
    this.user = GITHUB_USERS.primaryVerified();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const route = routeOf(req.method ?? 'GET', url.pathname);
    if (!route) return send(res, 404, { message: 'Not Found' });
    const body = req.method === 'POST' ? await readForm(req) : new URLSearchParams();
    const wait = this.delays.get(route) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (res.destroyed) return;
    const override = this.overrides.get(route);
    if (override) {
      this.overrides.delete(route);
      res.writeHead(override.status, { 'Content-Type': 'application/json' }).end(override.body);
      return;
    }
    switch (route) {
      case 'authorize':
        return this.authorize(url.searchParams, res);
      case 'access_token':
        return this.accessToken(body, req, res);
      case 'user':
      case 'emails':
        return this.api(route, req, res);
    }
  }

  private authorize(query: URLSearchParams, res: ServerResponse): void {
    this.authorizationRequests.push(query);
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== this.client.id || !redirectUri)
      return send(res, 404, { message: 'unknown application' });
    const back = new URL(redirectUri);
    const error = this.denials.shift();
    if (error) {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      this.grants.set(code, {
        user: structuredClone(this.user),
        redirectUri,
        challenge: query.get('code_challenge') ?? undefined,
        method: query.get('code_challenge_method') ?? undefined,
      });
      back.searchParams.set('code', code);
    }
    const state = query.get('state');
    if (state) back.searchParams.set('state', state);
    res.writeHead(302, { Location: back.href }).end();
  }

  private accessToken(form: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    this.tokenRequests.push(form);
    const answer = (fields: Record<string, string>): void => {
      if (/application\/json/.test(req.headers.accept ?? '')) return send(res, 200, fields);
      res
        .writeHead(200, { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' })
        .end(new URLSearchParams(fields).toString());
    };
    if (
      form.get('client_id') !== this.client.id ||
      form.get('client_secret') !== this.client.secret
    )
      return answer({ error: 'incorrect_client_credentials' });
    const code = form.get('code') ?? '';
    const grant = this.grants.get(code);
    this.grants.delete(code);
    if (!grant || (form.get('redirect_uri') ?? grant.redirectUri) !== grant.redirectUri)
      return answer({ error: 'bad_verification_code' });
    if (grant.challenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      const expected =
        grant.method === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (verifier === '' || expected !== grant.challenge)
        return answer({ error: 'bad_verification_code' });
    }
    const token = `gho_${randomBytes(18).toString('hex')}`;
    this.tokens.set(token, grant.user);
    answer({ access_token: token, scope: 'read:user,user:email', token_type: 'bearer' });
  }

  private api(route: 'user' | 'emails', req: IncomingMessage, res: ServerResponse): void {
    const match = /^(?:token|bearer) (\S+)$/i.exec(req.headers.authorization ?? '');
    const user = match ? this.tokens.get(match[1]!) : undefined;
    if (!user) return send(res, 401, { message: 'Bad credentials' });
    if (route === 'emails') return send(res, 200, user.emails);
    send(res, 200, {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: 'User',
      name: user.name,
      email: user.emails.find((e) => e.primary && e.visibility === 'public')?.email ?? null,
    });
  }
}

function routeOf(method: string, path: string): GitHubEndpoint | undefined {
  if (method === 'GET' && path === '/login/oauth/authorize') return 'authorize';
  if (method === 'POST' && path === '/login/oauth/access_token') return 'access_token';
  if (method === 'GET' && path === '/api/v3/user') return 'user';
  if (method === 'GET' && path === '/api/v3/user/emails') return 'emails';
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
