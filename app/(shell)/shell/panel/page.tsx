import { PanelApp } from '@/components/panel/panel-app';

export const dynamic = 'force-static';

export default function PanelShell() {
  return <PanelApp />;
}
