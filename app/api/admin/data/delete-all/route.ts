import { withApiAuth } from '@/lib/app/connect';
import { deleteAllDataHandler } from '@/lib/gdpr/http';

export const dynamic = 'force-dynamic';

/** Deletes all the site's data now; body `{ "confirm": "<site host>" }` (site admins only). */
export const POST = withApiAuth(deleteAllDataHandler);
