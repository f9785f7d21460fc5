import { benchTwin } from '@/bench/app/twins';
import { describeContext } from '@/lib/app/context-response';

export const dynamic = 'force-dynamic';

export const GET = benchTwin(() => describeContext);
