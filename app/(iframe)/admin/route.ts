import { withPageAuth } from '@/lib/app/connect';
import { adminPage } from '@/lib/app/pages/admin';

export const dynamic = 'force-dynamic';

export const GET = withPageAuth(adminPage, { module: 'admin' });
