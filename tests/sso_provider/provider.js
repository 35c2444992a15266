// A real OpenID provider for the single sign-on tests: oidc-provider (the certified Node
// implementation) on 127.0.0.1, with a plain sign-in page of its own.
//
//   node provider.js PORT CLIENT_ID CLIENT_SECRET
//
// Prints "ready" once it listens. Test users are below; a test may add or change one with
// POST /test/accounts {"login", "sub", "email", "email_verified", "name"} (test only: this
// provider holds no real account). Any password is accepted. The sign-in page's
// "Deny access" button answers the client with error=access_denied, as a user who
// refuses consent does. Consent for the client is granted once signed in.
import http from "node:http";
import Provider from "oidc-provider";

const [port, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

// login name -> the claims the provider issues for that account.
const accounts = new Map(
  Object.entries({
    "new.director": { sub: "idp-1001", email: "new.director@school.example.edu", email_verified: true, name: "Nadia Director" },
    "local.admin": { sub: "idp-1002", email: "local.admin@school.example.edu", email_verified: true, name: "Lee Admin" },
    "unverified.reviewer": { sub: "idp-1003", email: "unverified.reviewer@school.example.edu", email_verified: false, name: "Uma Reviewer" },
  }),
);
const bySubject = (sub) => [...accounts.values()].find((account) => account.sub === sub);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: ["http://127.0.0.1/login/sso/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: ["clerkship-test-provider-cookie-key"] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = bySubject(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ ...bySubject(sub) }) };
  },
  // The client is trusted: no consent page once the user signed in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
// The app under test runs on a port chosen at random: any callback on 127.0.0.1 or the
// tests' BASE_URL host is accepted (a real provider registers the exact address).
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  const url = new URL(uri);
  return url.pathname.endsWith("/login/sso/callback") && ["127.0.0.1", "clerkship.example.org"].includes(url.hostname);
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (uid, error) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>School sign-in</title></head>
<body><main><h1>School sign-in</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<p><label for="login">Username</label> <input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form>
<form method="post" action="/interaction/${uid}/abort"><p><button type="submit">Deny access</button></p></form>
</main></body></html>`;

const readBody = (req) =>
  new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === "/test/accounts" && req.method === "POST") {
      const { login, ...claims } = JSON.parse(await readBody(req));
      accounts.set(login, claims);
      res.writeHead(204).end();
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
    if (!match) {
      callback(req, res);
      return;
    }
    const [, uid, action] = match;
    const details = await provider.interactionDetails(req, res);
    if (!action) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(uid));
      return;
    }
    if (action === "abort") {
      await provider.interactionFinished(req, res, { error: "access_denied", error_description: "End-User aborted interaction" }, { mergeWithLastSubmission: false });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const account = accounts.get(form.get("login"));
    if (!account) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(uid, "Unknown username."));
      return;
    }
    void details;
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
  }
});
server.listen(Number(port), "127.0.0.1", () => console.log("ready"));
