// DanVan's local sign-in provider: OpenID Connect (npm oidc-provider) on 127.0.0.1 for development and tests.
//   node tools/dev-identity/server.mjs --port 7080 --redirect-uri http://127.0.0.1:7071/dashboard [--redirect-uri ...] [--keys jwks.json]
// Issuer http://127.0.0.1:<port>; one public client "danvan-dashboard" (authorization code + PKCE S256, no secret);
// access tokens are RS256 JWTs for the resource api://danvan-local carrying sub, name and roles. Signing in is
// choosing one of the sample staff (functions/SampleData/staff.sample.json): no password, no consent page.
// --keys: a JWKS file with private RSA keys (the first signs); re-read on SIGHUP, so a test can rotate keys
// without restarting anything. Without --keys a fresh key is made at start. Prints "dev-identity ready <issuer>".
// FOR LOCAL USE ONLY: anyone who reaches it can sign in as anyone.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'danvan-dashboard';
export const AUDIENCE = 'api://danvan-local';
export const API_SCOPE = 'danvan';

const args = parseArgs(process.argv.slice(2));
const issuer = `http://127.0.0.1:${args.port}`;
const staffFile = fileURLToPath(new URL('../../functions/SampleData/staff.sample.json', import.meta.url));
const staff = JSON.parse(readFileSync(staffFile, 'utf8')).staff;
const cookieKeys = [randomBytes(32).toString('base64url')];

let provider = await build(await loadKeys());

const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => fail(res, err));
  } else {
    provider.callback()(req, res);
  }
});

process.on('SIGHUP', () => {
  loadKeys()
    .then(build)
    .then((next) => { provider = next; console.log(`dev-identity keys reloaded (${next.kids.join(', ')})`); })
    .catch((err) => console.error(`dev-identity keys not reloaded: ${err.message}`));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

server.listen(args.port, '127.0.0.1', () => console.log(`dev-identity ready ${issuer}`));

function parseArgs(argv) {
  const out = { port: 0, redirectUris: [], keys: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) usage(`${name} needs a value`);
    if (name === '--port') out.port = Number.parseInt(value, 10);
    else if (name === '--redirect-uri') out.redirectUris.push(value);
    else if (name === '--keys') out.keys = value;
    else usage(`unknown option ${name}`);
  }
  if (!(out.port > 0 && out.port < 65536)) usage('--port must be a port number');
  if (out.redirectUris.length === 0) usage('at least one --redirect-uri is needed');
  return out;
}

function usage(message) {
  console.error(`${message}\nusage: node tools/dev-identity/server.mjs --port <p> --redirect-uri <uri> [--redirect-uri <uri>...] [--keys <jwks-file>]`);
  process.exit(2);
}

async function loadKeys() {
  if (args.keys) {
    const { keys } = JSON.parse(readFileSync(args.keys, 'utf8'));
    if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${args.keys} has no keys`);
    return keys.map((k) => ({ ...k, alg: 'RS256', use: 'sig' }));
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return [{ ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' }];
}

async function build(keys) {
  const next = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: args.redirectUris,
      post_logout_redirect_uris: args.redirectUris,
    }],
    jwks: { keys },
    cookies: { keys: cookieKeys },
    scopes: ['openid', 'profile', API_SCOPE],
    claims: { openid: ['sub'], profile: ['name', 'roles'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== AUDIENCE) throw new Provider.errors.InvalidTarget();
          return { scope: API_SCOPE, audience: AUDIENCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    findAccount: (_ctx, sub) => {
      const person = staff.find((p) => p.sub === sub);
      return person && { accountId: sub, claims: () => ({ sub, name: person.name, roles: person.roles }) };
    },
    extraTokenClaims: (_ctx, token) => {
      const person = token.kind === 'AccessToken' && staff.find((p) => p.sub === token.accountId);
      return person ? { name: person.name, roles: person.roles } : undefined;
    },
    // Consent is skipped: the one client is DanVan itself, granted what it asks for.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(['sub', 'name', 'roles']);
      grant.addResourceScope(AUDIENCE, API_SCOPE);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
  });
  next.kids = keys.map((k) => k.kid);
  return next;
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const sub = new URLSearchParams(await body(req)).get('sub');
    if (!staff.some((p) => p.sub === sub)) return page(res, 400, '<p>Chọn một người trong danh sách.</p>');
    return provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
  }
  const people = staff.map((p) => `
    <li><form method="post" action="/interaction/${escape(details.uid)}">
      <input type="hidden" name="sub" value="${escape(p.sub)}">
      <button type="submit" data-sub="${escape(p.sub)}">${escape(p.name)}</button>
      <span>${escape(p.title)} — vai trò: ${escape(p.roles.join(', ') || 'không có')}</span>
    </form></li>`).join('');
  return page(res, 200, `<h1>Đăng nhập DanVan (môi trường thử)</h1>
    <p>Nhà cung cấp đăng nhập dùng khi phát triển: chọn một người để đăng nhập, không cần mật khẩu.</p>
    <ul>${people}</ul>`);
}

function page(res, status, content) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Đăng nhập DanVan</title></head><body>${content}</body></html>`);
}

function body(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { text += chunk; if (text.length > 4096) req.destroy(new Error('form too large')); });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function fail(res, err) {
  if (res.headersSent) return res.end();
  page(res, err.statusCode ?? 400, `<p>Không đăng nhập được: ${escape(err.error_description ?? err.message)}. Hãy mở lại trang DanVan và đăng nhập lại.</p>`);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
