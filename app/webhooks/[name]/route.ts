import { receiveWebhook } from '@/lib/app/jobs';

export const dynamic = 'force-dynamic';

export const POST = receiveWebhook;
