/** The published policies as data: one structure (render.ts, from the catalogue), rendered by view.tsx. */

export interface PolicyLink {
  href: string;
  label: string;
}

export interface PolicySection {
  id: string;
  heading: string;
  paragraphs?: string[];
  items?: string[];
  link?: PolicyLink;
}

export interface PolicyDoc {
  title: string;
  summary: string;
  sections: PolicySection[];
}

/** Words around the documents (navigation, footer). */
export interface PolicyChrome {
  language: string;
  securityTitle: string;
  privacyTitle: string;
  generated: string;
}

export interface PolicyFacts {
  appName: string;
  vendorName: string;
  vendorUrl: string;
  retentionDays: number;
  database: 'embedded' | 'postgresql';
  /** 0 when the in-app purge schedule is off (then `npm run purge` must be scheduled). */
  purgeIntervalMinutes: number;
  /** Atlassian's personal data reporting cycle, in days. */
  gdprCycleDays: number;
  /** 0 when reporting is off. */
  gdprReportIntervalHours: number;
  secretCipher: 'AES-256-GCM';
  hstsMaxAgeDays: number;
  securityContact?: PolicyLink;
  paths: { security: string; privacy: string };
}

export interface PolicyTexts {
  security: PolicyDoc;
  privacy: PolicyDoc;
  chrome: PolicyChrome;
}
