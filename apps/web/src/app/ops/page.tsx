import type { Metadata } from 'next';
import { OpsConsole } from '../../components/ops/ops-console';

export const metadata: Metadata = { title: 'Ops · Frequency 20XX', robots: { index: false } };

export default function OpsPage() {
  return <OpsConsole />;
}
