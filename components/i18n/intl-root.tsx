'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { IntlProvider } from 'react-intl';
import { pickLocale } from 'atlassian-connect-next';
import { asAppLocale, DEFAULT_LOCALE, SUPPORTED_LOCALES, type AppLocale } from '@/lib/i18n/locales';
import { englishMessages, loadMessages, type Messages } from '@/lib/i18n/messages';
import { productLocale } from '../connect/ap';
import type { Bootstrap } from '../connect/bootstrap';

/**
 * react-intl (FormatJS) for the iframes: ICU messages, and dates/numbers through Intl in the
 * user's locale and time zone. The locale is the server's pick (signed `loc`, else
 * Accept-Language); without `loc`, AP.user.getLocale() may refine it.
 */
export function useLocaleMessages(boot: Bootstrap | null): { locale: AppLocale; messages: Messages | null } {
  const [state, setState] = useState<{ locale: AppLocale; messages: Messages | null }>({ locale: DEFAULT_LOCALE, messages: null });
  useEffect(() => {
    if (!boot) return;
    let cancelled = false;
    const apply = async (locale: AppLocale) => {
      const messages = await loadMessages(locale).catch(() => englishMessages);
      if (cancelled) return;
      document.documentElement.lang = locale;
      setState({ locale, messages });
    };
    const first = asAppLocale(boot.locale);
    void apply(first);
    if (boot.localeSource !== 'loc') {
      void productLocale().then((fromProduct) => {
        if (!fromProduct) return;
        const better = asAppLocale(pickLocale([fromProduct], SUPPORTED_LOCALES, first));
        if (better !== first) void apply(better);
      });
    }
    return () => {
      cancelled = true;
    };
  }, [boot]);
  return state;
}

export function IntlRoot({ locale, timeZone, messages, children }: { locale: string; timeZone?: string; messages: Messages; children: ReactNode }) {
  return (
    <IntlProvider locale={locale} timeZone={timeZone} messages={messages} defaultLocale="en" onError={() => undefined}>
      {children}
    </IntlProvider>
  );
}
