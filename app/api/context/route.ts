import { withApiAuth } from '@/lib/app/connect';
import { describeContext } from '@/lib/app/context-response';

export const dynamic = 'force-dynamic';

/** Who the iframe is talking as: tenant, user, license and locale, as the app resolved them. */
export const GET = withApiAuth(describeContext);
