import { GeistSans } from 'geist/font/sans';
import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { LanguageProvider, LanguageSwitch } from '../i18n/language';
import { messages } from '../i18n/messages';
import './globals.css';

/**
 * Every page is rendered per request, never prebuilt: its inline bootstrap scripts must carry the
 * nonce of that response's Content-Security-Policy (src/middleware.ts), and a prebuilt page would
 * repeat one nonce to everyone. The shells hold no data, so a render is cheap, and the figures still
 * come from the APIs in the browser.
 */
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Frequency Festival 20XX · Tickets',
  description: 'Frequency Festival 20XX, St. Pölten: offizieller Ticketverkauf mit fairer Warteschlange.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#3b0764',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="de" className={GeistSans.variable}>
      <body className="min-h-dvh font-sans antialiased">
        <LanguageProvider>
          <a
            href="#main"
            className="focus-ring sr-only z-50 rounded bg-white px-3 py-2 font-semibold text-ink focus:not-sr-only focus:absolute focus:left-2 focus:top-2"
          >
            {messages.de.meta.skipToContent}
          </a>
          <header className="bg-brand-deep text-white">
            <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
              <Link href="/" className="focus-ring rounded text-lg font-black tracking-tight">
                FREQUENCY <span className="font-semibold">20XX</span>
              </Link>
              <LanguageSwitch />
            </div>
          </header>
          <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-10">
            {children}
          </main>
        </LanguageProvider>
      </body>
    </html>
  );
}
