import { benchTwin } from '@/bench/app/twins';
import { generalPage } from '@/lib/app/pages/general';

export const dynamic = 'force-dynamic';

export const GET = benchTwin(generalPage);
