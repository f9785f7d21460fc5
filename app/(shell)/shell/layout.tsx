import '@atlaskit/css-reset';
import type { ReactNode } from 'react';

// The iframe shells: prerendered static HTML the page routes serve with a per-request bootstrap.
export const metadata = { robots: { index: false, follow: false } };

export default function ShellLayout({ children }: { children: ReactNode }) {
  return children;
}
