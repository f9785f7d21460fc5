import { benchTwin } from '@/lib/app/bench/twins';
import { generalPage } from '@/lib/app/pages/general';

export const dynamic = 'force-dynamic';

export const GET = benchTwin(generalPage);
