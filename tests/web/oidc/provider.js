// A real OpenID provider for the single sign-on browser tests (tests/web/test_sso.py).
//
// node's oidc-provider with two confidential test clients (authorization code + PKCE S256):
// `omgekeerde-toets` authenticates with client_secret_basic, `omgekeerde-toets-sleutel` with
// private_key_jwt against the public keys in OIDC_CLIENT_JWKS (a JWK set as JSON). Invented
// users whose role claim `rollen` comes with the scope `rollen`: our role names, or the
// municipality's group names that the service maps (OT_OIDC_ROLLEN). Login uses the library's development interactions: any login name on its form
// is accepted as the account id, the password is ignored. Test use only.
//
//   OIDC_PORT=4000 OIDC_REDIRECT_URI=http://127.0.0.1:8000/ui/inloggen/terug \
//   OIDC_POST_LOGOUT_URI=http://127.0.0.1:8000/ui/inloggen node provider.js
// (both URI variables may list several, separated by spaces: one per service under test)
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 4000);
const issuer = `http://127.0.0.1:${port}`;

// Invented people (no real names): who may do what in the Omgekeerde Toets.
const USERS = {
  'mw-consulent-01': ['consulent'],
  'mw-auditor-01': ['auditor'],
  'mw-privacy-01': ['privacy'], // the privacy officer (tests/web/test_privacy_page.py)
  'mw-zonder-rol': [],
  'mw-groep-consulent-01': ['ot-consulenten', 'ot-iedereen'],
};

const redirectUris = (process.env.OIDC_REDIRECT_URI || '').split(/\s+/).filter(Boolean);
const postLogoutUris = (process.env.OIDC_POST_LOGOUT_URI || '').split(/\s+/).filter(Boolean);
const common = {
  redirect_uris: redirectUris,
  post_logout_redirect_uris: postLogoutUris,
  response_types: ['code'],
  grant_types: ['authorization_code'],
};

const provider = new Provider(issuer, {
  clients: [{
    ...common,
    client_id: 'omgekeerde-toets',
    client_secret: process.env.OIDC_CLIENT_SECRET || 'test-geheim-van-de-client',
    token_endpoint_auth_method: 'client_secret_basic',
  }, ...(process.env.OIDC_CLIENT_JWKS ? [{
    ...common,
    client_id: 'omgekeerde-toets-sleutel',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: JSON.parse(process.env.OIDC_CLIENT_JWKS),
  }] : [])],
  pkce: { required: () => true },
  scopes: ['openid', 'rollen'],
  claims: { openid: ['sub'], rollen: ['rollen'] },
  // The role claim in the ID token (the token the service uses as its bearer).
  conformIdTokenClaims: false,
  ttl: { IdToken: Number(process.env.OIDC_ID_TOKEN_TTL || 3600) },
  cookies: { keys: ['alleen-voor-tests'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html lang="en"><title>Uitloggen</title><body>${form}
          <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
          </body></html>`;
      },
    },
  },
  async findAccount(ctx, id) {
    if (!(id in USERS)) return undefined;
    return { accountId: id, async claims() { return { sub: id, rollen: USERS[id] }; } };
  },
  // A first-party client: no consent screen (the grant covers what the client asks).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid rollen');
    grant.addOIDCClaims(['rollen']);
    await grant.save();
    return grant;
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider luistert op ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
