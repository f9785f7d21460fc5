import { descriptorTranslations, translationFiles } from '@/lib/i18n/descriptor';

// Connect's translation files for module names: prerendered at build time, served as static JSON.
export const dynamic = 'force-static';
export const dynamicParams = false;

export function generateStaticParams(): { file: string }[] {
  return translationFiles().map((file) => ({ file }));
}

export async function GET(_req: Request, route: { params: Promise<{ file: string }> }): Promise<Response> {
  const body = await descriptorTranslations((await route.params).file);
  if (!body) return Response.json({ error: { code: 'NOT_FOUND', message: 'Not found' } }, { status: 404 });
  return Response.json(body, { headers: { 'Cache-Control': 'public, max-age=3600' } });
}
