import { benchTwin } from '@/lib/app/bench/twins';
import { describeContext } from '@/lib/app/context-response';

export const dynamic = 'force-dynamic';

export const GET = benchTwin(describeContext);
