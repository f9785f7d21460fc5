/**
 * The peer of `npm run bench:peer`: a minimal atlassian-connect-express app as its template
 * writes one (Express, express-hbs views, `addon.middleware()`), serving the same two hot paths
 * at the same URLs as the app, so one pool of signed requests drives both:
 *   GET /panel/issue                        addon.authenticate() (page JWT + qsh) + a template
 *   GET /api/checklists/:issueId            addon.checkValidToken() (context JWT) + one store read
 *   GET /api/checklists-nostore/:issueId    the same without the store read
 * ACE comes from the scratch install in $ACE_DIR (never the app's dependencies); it reads
 * config.json and atlassian-connect.json from the working directory, so this runs from its own
 * folder. $PEER_SEED names a JSON file of tenants (clientInfo) and records saved before listening.
 * https://bitbucket.org/atlassian/atlassian-connect-express/src/master/README.md
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerMemoryStore } from './memory-store.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { ACE_DIR, PORT, PEER_SEED } = process.env;
if (!ACE_DIR || !PORT || !PEER_SEED) throw new Error('ACE_DIR, PORT and PEER_SEED are required');
process.chdir(here);

const aceRequire = createRequire(path.join(ACE_DIR, 'package.json'));
const express = aceRequire('express');
const ace = aceRequire('atlassian-connect-express');
const hbs = aceRequire('express-hbs');

// ACE prints a deprecation notice on every request that carries `tz` or `loc` (which Jira sends
// and the app reads). A deployment would silence it; the bench does, so ACE's figures measure
// its request path, not a console write.
const warn = console.warn.bind(console);
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Please note that timezone, locale')) return;
  warn(...args);
};

registerMemoryStore(ace);

const app = express();
app.set('port', Number(PORT));
app.engine('hbs', hbs.express4({}));
app.set('view engine', 'hbs');
app.set('views', path.join(here, 'views'));
app.use(express.json());
app.use(express.urlencoded({ extended: false }));

const addon = ace(app);
app.use(addon.middleware());

/** JSON that is safe inside <script>: as the app's shell writes its bootstrap. */
const scriptJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

app.get('/health', (_req, res) => res.type('text').send('ok'));

app.get('/panel/issue', addon.authenticate(), (req, res) => {
  const site = res.locals.hostBaseUrl;
  const locale = typeof req.query.loc === 'string' ? req.query.loc.split(/[-_]/)[0] : 'en';
  res.render('panel', {
    lang: locale,
    bootstrap: scriptJson({
      v: 1,
      module: 'panel',
      sessionToken: res.locals.token,
      locale,
      timeZone: res.locals.timezone ?? null,
      license: { param: res.locals.license ?? null, licensed: res.locals.license === 'active' },
      accountId: res.locals.userAccountId ?? null,
      issue: { id: req.query.issueId ?? null, key: req.query.issueKey ?? null },
      site: { url: site, manageAppsUrl: `${site}/plugins/servlet/upm` },
    }),
  });
});

/** A context JWT names its issue in `context.jira.issue`: the route serves that issue only. */
function issueScope(req, res) {
  const scoped = req.context?.context?.jira?.issue?.id;
  if (scoped === req.params.issueId) return true;
  res.status(403).json({ error: { code: 'FORBIDDEN' } });
  return false;
}

app.get('/api/checklists/:issueId', addon.checkValidToken(), async (req, res, next) => {
  if (!issueScope(req, res)) return;
  try {
    const checklist = await addon.settings.get(`checklist:${req.params.issueId}`, req.context.clientKey);
    res.set('Cache-Control', 'no-store').json({ issueId: req.params.issueId, items: checklist?.items ?? [], readOnly: false, license: { param: 'active', licensed: true } });
  } catch (err) {
    next(err);
  }
});

app.get('/api/checklists-nostore/:issueId', addon.checkValidToken(), (req, res) => {
  if (!issueScope(req, res)) return;
  res.set('Cache-Control', 'no-store').json({ issueId: req.params.issueId, items: [], readOnly: false, license: { param: 'active', licensed: true } });
});

const seed = JSON.parse(readFileSync(PEER_SEED, 'utf8'));
for (const tenant of seed.tenants) await addon.settings.saveInstallation(tenant, tenant.clientKey);
for (const r of seed.records ?? []) await addon.settings.set(r.key, r.value, r.clientKey);

app.listen(Number(PORT), '127.0.0.1', () => console.log(`ACE peer on ${PORT} (${seed.tenants.length} tenants)`));
