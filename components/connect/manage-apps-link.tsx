'use client';
import type { MouseEvent, ReactNode } from 'react';
import { MANAGE_APPS_PATH, navigate } from './ap';

/**
 * A link to the site's app management (licenses). A plain click asks the product to navigate
 * (AP.navigator.go 'site'); without AP.js, or with a modifier key (new tab), it is an ordinary
 * link to the same place on the product page.
 */
export function ManageAppsLink({ href, testId, children }: { href: string; testId: string; children: ReactNode }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (navigate('site', { relativeUrl: MANAGE_APPS_PATH })) e.preventDefault();
  };
  return (
    <a href={href} target="_top" rel="noopener" data-testid={testId} onClick={onClick}>
      {children}
    </a>
  );
}
