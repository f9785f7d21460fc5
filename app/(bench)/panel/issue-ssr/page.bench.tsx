import '@atlaskit/css-reset';
import { PanelApp } from '@/components/panel/panel-app';
import { naivePanelBootstrap } from '@/bench/app/naive-panel';

export const dynamic = 'force-dynamic';

// Bench build only (BENCH_BUILD=1): see bench/app/naive-panel.ts.
export default async function NaivePanel({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { json } = await naivePanelBootstrap(await searchParams);
  return (
    <>
      <script id="app-bootstrap" type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
      <PanelApp />
    </>
  );
}
