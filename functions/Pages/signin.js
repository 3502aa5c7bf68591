// The one way a person signs in to the dashboard: OpenID Connect, authorization code with PKCE (S256),
// through npm oauth4webapi (./oauth4webapi.js is the pinned package's own file, shipped with the pages).
// The provider sends the person back to this page; the code is taken off the address bar at once and
// exchanged here. Tokens are kept in this tab's sessionStorage only: never in a URL query, a log or telemetry.
// The shared admin token (a #token=… link, or pasted) is the break-glass path: allowed only where the server
// says so, and a banner says so while it is in use.
import * as oauth from './oauth4webapi.js';

const D = window.DanVan;
const FLOW_KEY = 'danvan.signin'; // state, nonce and PKCE verifier of the sign-in under way
const SESSION_KEY = 'danvan.session'; // { accessToken }
const BREAK_GLASS_KEY = 'danvan.adminToken';
const DRAFT_KEY = 'danvan.draft'; // what the person was typing when the session ran out

/** The roles, lowest first: each has the powers of those before it. */
const ROLES = ['Viewer', 'Officer', 'Leader', 'Administrator'];
const ROLE_LABEL = { Viewer: 'Xem', Officer: 'Chuyên viên', Leader: 'Lãnh đạo', Administrator: 'Quản trị' };

const $ = (id) => document.getElementById(id);

let config = null; // GET /api/auth/config
let server = null; // the provider's metadata, once discovered
let clockSkew = 0; // seconds this browser's clock is behind DanVan's server (its Date header)
let mode = null; // 'person' | 'breakGlass'
let token = null;
let me = null;
let hooks = null;
let leaving = false;
let credential = null; // the break-glass credential form (common.js)

/** Loopback only: a local development provider on http://127.0.0.1. Anything else must be https. */
const insecure = (url) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

const client = () => ({ client_id: config.clientId, [oauth.clockSkew]: clockSkew });

/** This page's own address, without query or fragment: where the provider sends the person back. */
const redirectUri = () => location.origin + location.pathname;

function readJson(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

async function loadConfig() {
  const response = await D.api('auth/config', null);
  // Token lifetimes are checked on the server's clock, not on a misset office PC's.
  const served = Date.parse(response.headers.get('Date') || '');
  if (Number.isFinite(served)) clockSkew = Math.round((served - Date.now()) / 1000);
  return response.json();
}

async function discover() {
  if (server) return server;
  const issuer = new URL(config.authority);
  const response = await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: insecure(issuer) });
  server = await oauth.processDiscoveryResponse(issuer, response);
  return server;
}

/** Sends the person to the provider; they come back to this page with ?code=…&state=…. */
async function signIn() {
  const as = await discover();
  const verifier = oauth.generateRandomCodeVerifier();
  const flow = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), verifier };
  sessionStorage.setItem(FLOW_KEY, JSON.stringify(flow));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', flow.state);
  url.searchParams.set('nonce', flow.nonce);
  location.assign(url.href);
}

/** The provider's answer in the address bar (code and state, or an error), taken off it at once. */
function takeCallback() {
  const query = new URLSearchParams(location.search);
  if (!query.has('state') && !query.has('code') && !query.has('error')) return null;
  history.replaceState(null, '', location.pathname + location.hash);
  return query;
}

/** Exchanges the code (with the PKCE verifier) for the tokens; the ID token's nonce and claims are checked. */
async function finishSignIn(query) {
  const flow = readJson(FLOW_KEY);
  sessionStorage.removeItem(FLOW_KEY);
  if (!flow) throw new Error('Không tìm thấy yêu cầu đăng nhập đã gửi từ thẻ này.');
  const as = await discover();
  const params = oauth.validateAuthResponse(as, client(), query, flow.state);
  const options = { [oauth.allowInsecureRequests]: insecure(as.token_endpoint) };
  const response = await oauth.authorizationCodeGrantRequest(as, client(), oauth.None(), params, redirectUri(), flow.verifier, options);
  const result = await oauth.processAuthorizationCodeResponse(as, client(), response, { expectedNonce: flow.nonce, requireIdToken: true });
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ accessToken: result.access_token }));
  credential.forget();
}

/** What went wrong with the provider, in Vietnamese (the provider's own words are not shown: they may be English). */
function signInProblem(err) {
  if (err instanceof oauth.AuthorizationResponseError && err.error === 'access_denied') {
    return 'Đăng nhập đã bị huỷ. Vui lòng đăng nhập lại.';
  }
  if (err instanceof D.ApiError) return `${err.title}. ${err.detail}`;
  return 'Không đăng nhập được với nhà cung cấp định danh. Vui lòng đăng nhập lại; nếu vẫn lỗi, báo quản trị hệ thống.';
}

function showLogin(text, { breakGlassError = false } = {}) {
  const canSignIn = Boolean(config && config.authority);
  $('signin').hidden = !canSignIn;
  $('signin-help').hidden = !canSignIn;
  $('break-glass').hidden = !(config && config.breakGlassAllowed);
  $('who').hidden = true;
  $('break-glass-banner').hidden = true;
  if (breakGlassError) $('break-glass').open = true;
  credential.show(text, breakGlassError || !canSignIn ? 'token' : 'signin');
}

function showWho() {
  const top = [...ROLES].reverse().find((r) => (me.roles || []).includes(r));
  $('who-name').textContent = me.name || me.subject;
  $('who-role').textContent = top ? ROLE_LABEL[top] : 'Chưa được giao vai trò';
  $('who').hidden = false;
  $('break-glass-banner').hidden = !(mode === 'breakGlass' || me.breakGlass);
  $('login').hidden = true;
}

/** The token to use: a person's session, else the break-glass token where it is allowed. */
function chooseToken(fromLink) {
  const session = readJson(SESSION_KEY);
  const breakGlass = sessionStorage.getItem(BREAK_GLASS_KEY);
  if ((fromLink || !session) && breakGlass) {
    if (!config.breakGlassAllowed) {
      credential.forget();
      return { refused: 'Mã khẩn cấp không được dùng trên hệ thống này. Vui lòng đăng nhập bằng tài khoản của mình.' };
    }
    return { mode: 'breakGlass', token: breakGlass };
  }
  return session && session.accessToken ? { mode: 'person', token: session.accessToken } : {};
}

/** Signed in (or break-glass): who it is, then the page. A refused token asks again. */
async function enter(chosen) {
  mode = chosen.mode;
  token = chosen.token;
  try {
    me = await D.json('me', token);
  } catch (err) {
    if (err.status === 401) return; // the unauthorized handler has asked again
    D.say(hooks.message, `${err.title}. ${err.detail}`, 'error');
    return;
  }
  leaving = false;
  showWho();
  hooks.onReady(token);
}

/** A 401 from the API: the session ran out (or the token is wrong). Keeps the draft, asks to sign in again. */
function unauthorized() {
  if (!mode || leaving) return;
  leaving = true;
  const draft = { context: hooks.draft ? hooks.draft() : {}, fields: {} };
  for (const field of document.querySelectorAll('[data-draft]')) draft.fields[field.id] = field.value;
  if (Object.values(draft.fields).some(Boolean)) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  const wasBreakGlass = mode === 'breakGlass';
  forget();
  if (wasBreakGlass) {
    showLogin('Chưa xác thực. Mã khẩn cấp không đúng hoặc đã bị thay. Vui lòng kiểm tra lại.', { breakGlassError: true });
  } else {
    showLogin('Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại; nội dung đang nhập được giữ lại.');
  }
}

function forget() {
  sessionStorage.removeItem(SESSION_KEY);
  credential.forget();
  mode = null;
  token = null;
  me = null;
  hooks.onLeave();
}

/** Signs out: forgets the tokens here, then ends the provider's session (RP-initiated logout; it sends the person back here). */
async function signOut() {
  const session = readJson(SESSION_KEY);
  const wasPerson = mode === 'person';
  sessionStorage.removeItem(DRAFT_KEY);
  forget();
  if (wasPerson && session) {
    try {
      const as = await discover();
      if (as.end_session_endpoint) {
        // client_id rather than id_token_hint (RP-Initiated Logout allows either): no token ever goes in a URL.
        const url = new URL(as.end_session_endpoint);
        url.searchParams.set('client_id', config.clientId);
        url.searchParams.set('post_logout_redirect_uri', redirectUri());
        location.assign(url.href);
        return;
      }
    } catch {
      // The provider cannot be reached: this tab has forgotten the tokens, which is what matters here.
    }
  }
  showLogin();
  D.say(hooks.message, 'Đã đăng xuất.');
}

/**
 * Starts the page: the provider's answer if this is one, else the tab's session, else the sign-in card.
 * hooks: { message, onReady(token), onLeave(), draft() → context to keep across a new sign-in }.
 */
async function start(pageHooks) {
  hooks = pageHooks;
  const fromLink = new URLSearchParams(location.hash.slice(1)).has('token');
  credential = D.login({
    storageKey: BREAK_GLASS_KEY,
    emptyText: 'Vui lòng dán mã khẩn cấp.',
    message: hooks.message,
    onLogin: (value) => {
      if (!config.breakGlassAllowed) {
        credential.forget();
        showLogin('Mã khẩn cấp không được dùng trên hệ thống này. Vui lòng đăng nhập bằng tài khoản của mình.');
        return;
      }
      enter({ mode: 'breakGlass', token: value });
    },
    onLogout: () => signOut(),
  });
  const query = takeCallback();
  D.onUnauthorized(unauthorized);
  $('signin').addEventListener('click', () => signIn().catch((err) => showLogin(signInProblem(err))));
  try {
    config = await loadConfig();
  } catch (err) {
    D.say(hooks.message, `${err.title}. ${err.detail}`, 'error');
    return;
  }
  if (query) {
    D.say(hooks.message, 'Đang đăng nhập…');
    try {
      await finishSignIn(query);
    } catch (err) {
      showLogin(signInProblem(err));
      return;
    }
  }
  const chosen = chooseToken(fromLink);
  if (chosen.refused || !chosen.token) {
    showLogin(chosen.refused);
    return;
  }
  await enter(chosen);
}

/** What the person was typing when their session ran out, once (then it is forgotten). */
function takeDraft() {
  const draft = readJson(DRAFT_KEY);
  sessionStorage.removeItem(DRAFT_KEY);
  return draft;
}

/** Puts the kept field values back (after the page has reopened what they belong to). */
function restoreFields(draft) {
  for (const [id, value] of Object.entries((draft && draft.fields) || {})) {
    const field = document.getElementById(id);
    if (field && field.hasAttribute('data-draft')) field.value = value;
  }
}

/** Whether the signed-in person has this role or a higher one. */
function may(role) {
  const needed = ROLES.indexOf(role);
  return Boolean(me) && (me.roles || []).some((r) => ROLES.indexOf(r) >= needed && needed >= 0);
}

window.DanVanSession = {
  start, signIn, signOut, takeDraft, restoreFields, may,
  token: () => token,
  me: () => me,
  roleLabel: (role) => ROLE_LABEL[role] || role,
};
