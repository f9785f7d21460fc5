import { withApiAuth } from '@/lib/app/connect';
import { dataSummaryHandler } from '@/lib/gdpr/http';

export const dynamic = 'force-dynamic';

/** Site host, retention and whether the caller may export/delete (for the admin page's data controls). */
export const GET = withApiAuth(dataSummaryHandler);
