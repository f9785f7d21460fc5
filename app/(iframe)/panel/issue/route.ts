import { withPageAuth } from '@/lib/app/connect';
import { panelPage, panelScope } from '@/lib/app/pages/panel';

export const dynamic = 'force-dynamic';

export const GET = withPageAuth(panelPage, { module: 'panel', scope: panelScope });
