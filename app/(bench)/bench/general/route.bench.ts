import { benchTwin } from '@/bench/app/twins';
import { pageHandlers } from '@/lib/app/pages';

export const dynamic = 'force-dynamic';

export const GET = benchTwin((a) => pageHandlers({ renderShell: a.renderShell, apJsUrl: a.env.AP_JS_URL }).general);
