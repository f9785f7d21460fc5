import '@atlaskit/css-reset';
import { PanelApp } from '@/components/panel/panel-app';
import { naivePanelBootstrap } from '@/lib/app/pages/naive-panel';

export const dynamic = 'force-dynamic';

// Benchmark comparator only (BENCH_ROUTES=true): see lib/app/pages/naive-panel.ts.
export default async function NaivePanel({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { json } = await naivePanelBootstrap(await searchParams);
  return (
    <>
      <script id="app-bootstrap" type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
      <PanelApp />
    </>
  );
}
