import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="rounded-2xl border-2 border-line bg-surface p-6">
      <h1 className="text-2xl font-bold">Seite nicht gefunden · Page not found</h1>
      <p className="mt-3">
        <Link href="/" className="focus-ring font-semibold text-brand underline">
          Frequency Festival 20XX
        </Link>
      </p>
    </div>
  );
}
