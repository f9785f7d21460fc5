import { withApiAuth } from '@/lib/app/connect';
import { exportDataHandler } from '@/lib/gdpr/http';

export const dynamic = 'force-dynamic';

/** The site's data as a JSON download (site admins only). */
export const GET = withApiAuth(exportDataHandler);
