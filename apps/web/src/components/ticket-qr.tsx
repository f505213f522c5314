'use client';

import { useEffect, useState } from 'react';

/** A ticket's QR code, drawn in the browser: the code never leaves the page for an image service. */
export function TicketQr({ code, alt }: { code: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    // Loaded only when tickets are shown: most visitors never get that far.
    import('qrcode')
      .then(({ toDataURL }) => toDataURL(code, { errorCorrectionLevel: 'M', margin: 1, width: 176 }))
      .then((url) => {
        if (!cancelled) setSrc(url);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [code]);
  if (src === null) return <div className="size-44 rounded bg-surface-muted" aria-hidden="true" />;
  // A data URL drawn here; next/image has nothing to optimise.
  // eslint-disable-next-line @next/next/no-img-element
  return <img src={src} alt={alt} width={176} height={176} className="size-44 rounded bg-white" />;
}
