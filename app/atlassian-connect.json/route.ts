import { descriptor } from '@/lib/app/connect';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(descriptor(), { headers: { 'Cache-Control': 'no-cache' } });
}
