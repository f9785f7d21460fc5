import 'server-only';
import { LANGUAGE_NAMES, SUPPORTED_LOCALES } from '@/lib/i18n/locales';
import type { RenderedPolicy } from './documents';

/**
 * A policy page: plain, readable HTML without client code (it is read outside Jira too,
 * e.g. from the Marketplace listing). Server-rendered on every request.
 */
export function PolicyView({ kind, policy }: { kind: 'security' | 'privacy'; policy: RenderedPolicy }) {
  const { doc, texts, locale } = policy;
  const other = kind === 'security' ? { path: '/privacy', title: texts.chrome.privacyTitle } : { path: '/security', title: texts.chrome.securityTitle };
  return (
    <main lang={locale} data-testid={`policy-${kind}`} style={{ fontFamily: 'system-ui, -apple-system, "Segoe UI", sans-serif', lineHeight: 1.55, maxWidth: 760, margin: '32px auto', padding: '0 20px', color: '#172B4D' }}>
      <nav aria-label={texts.chrome.language} style={{ fontSize: 14, marginBottom: 24 }}>
        {texts.chrome.language}:{' '}
        {SUPPORTED_LOCALES.map((l, i) => (
          <span key={l}>
            {i > 0 ? ' · ' : ''}
            {l === locale ? <strong aria-current="page">{LANGUAGE_NAMES[l]}</strong> : <a href={`?lang=${l}`} hrefLang={l} lang={l}>{LANGUAGE_NAMES[l]}</a>}
          </span>
        ))}
      </nav>
      <h1 style={{ fontSize: 28, lineHeight: 1.2 }}>{doc.title}</h1>
      <p>{doc.summary}</p>
      {doc.sections.map((s) => (
        <section key={s.id} id={s.id} aria-labelledby={`${s.id}-h`}>
          <h2 id={`${s.id}-h`} style={{ fontSize: 20, marginTop: 28 }}>{s.heading}</h2>
          {s.paragraphs?.map((p, i) => <p key={i}>{p}</p>)}
          {s.items ? (
            <ul>
              {s.items.map((item, i) => (
                <li key={i}>{item}</li>
              ))}
            </ul>
          ) : null}
          {s.link ? (
            <p>
              <a href={s.link.href} rel="noopener noreferrer">{s.link.label}</a>
            </p>
          ) : null}
        </section>
      ))}
      <hr style={{ margin: '32px 0 16px', border: 0, borderTop: '1px solid #DFE1E6' }} />
      <p style={{ fontSize: 14 }}>
        <a href={`${other.path}?lang=${locale}`}>{other.title}</a>
      </p>
      <p style={{ fontSize: 13, color: '#5E6C84' }}>{texts.chrome.generated}</p>
    </main>
  );
}
