import { withPageAuth } from '@/lib/app/connect';
import { generalPage } from '@/lib/app/pages/general';

export const dynamic = 'force-dynamic';

export const GET = withPageAuth(generalPage, { module: 'general' });
