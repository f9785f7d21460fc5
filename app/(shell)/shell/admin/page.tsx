import { AdminApp } from '@/components/admin/admin-app';

export const dynamic = 'force-static';

export default function AdminShell() {
  return <AdminApp />;
}
