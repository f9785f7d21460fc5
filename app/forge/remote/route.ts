import { describeForgeInvocation, withForgeAuth } from '@/lib/app/forge';

export const dynamic = 'force-dynamic';

/** A Forge remote resolver (invokeRemote / endpoint module): Forge invocation token only. */
export const GET = withForgeAuth(describeForgeInvocation);
export const POST = withForgeAuth(describeForgeInvocation);
