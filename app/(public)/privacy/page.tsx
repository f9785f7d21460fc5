import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { readEnv } from '@/lib/env';
import { policyDocument } from '@/lib/policies/documents';
import { policyFacts } from '@/lib/policies/facts';
import { PolicyView } from '@/lib/policies/view';

// Rendered from the running configuration on every request, never at build time.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

async function load({ searchParams }: Props) {
  return policyDocument('privacy', policyFacts(readEnv()), (await searchParams).lang, (await headers()).get('accept-language'));
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  return { title: (await load(props)).doc.title };
}

export default async function Page(props: Props) {
  return <PolicyView kind="privacy" policy={await load(props)} />;
}
