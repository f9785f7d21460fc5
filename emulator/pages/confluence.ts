import { listModules } from '../lib/descriptor';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import type { Site } from '../lib/state';
import { displayName, frameHtml } from './frame';
import { appUnavailable, layout, notice } from './layout';

/** A Confluence page showing the app's dynamic content macros, one instance each. */
export async function confluencePage(emu: Emulator, site: Site, spaceKey: string, pageId: string, path: string): Promise<string> {
  let macros = appUnavailable(site) ?? '';
  if (!macros) {
    const list = listModules(site.descriptor!).filter((m) => m.kind === 'macro');
    if (!list.length) macros = notice('no-macros', 'The app has no Confluence macros (dynamicContentMacros) in its descriptor.');
    for (const m of list) {
      const ctx = { extra: { 'page.id': pageId, 'space.key': spaceKey, 'macro.id': `macro-${m.key}`, 'content.id': pageId, 'content.type': 'page' } };
      const location = { target: 'contentview', context: { contentId: pageId, spaceKey } };
      macros += `<section class="ac-macro" data-testid="macro-${esc(m.key)}" aria-label="${esc(displayName(emu, site, m))}">${await frameHtml(emu, site, m, ctx, { location })}</section>`;
    }
  }
  const body = `<nav class="emu-crumbs" aria-label="Breadcrumbs">Spaces / ${esc(spaceKey)}</nav>
<h1>Team handbook</h1><p>Page ${esc(pageId)} in space ${esc(spaceKey)}. The app's macros render below.</p>${macros}`;
  return layout({ emu, site, title: 'Team handbook', body, path });
}
