import type { ReactNode } from 'react';

export function Panel({
  title,
  children,
  tone = 'default',
  titleId,
}: {
  title: string;
  children: ReactNode;
  tone?: 'default' | 'success' | 'warning';
  titleId?: string;
}) {
  const tones = {
    default: 'border-line',
    success: 'border-success',
    warning: 'border-warning',
  };
  return (
    <section
      aria-labelledby={titleId}
      className={`rounded-2xl border-2 ${tones[tone]} bg-surface p-5 shadow-sm sm:p-7`}
    >
      <h2 id={titleId} className="text-2xl font-bold text-ink" tabIndex={-1}>
        {title}
      </h2>
      <div className="mt-3 space-y-4 text-ink-soft">{children}</div>
    </section>
  );
}

export function Button({
  children,
  variant = 'primary',
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' }) {
  const variants = {
    primary: 'bg-brand text-white hover:bg-brand-strong disabled:bg-ink-soft',
    secondary: 'border-2 border-ink bg-surface text-ink hover:bg-surface-muted',
    danger: 'border-2 border-danger bg-surface text-danger hover:bg-danger-soft',
  };
  return (
    <button
      type="button"
      {...props}
      className={`focus-ring inline-flex min-h-12 items-center justify-center whitespace-nowrap rounded-xl px-5 py-3 text-base font-bold transition-colors disabled:cursor-not-allowed ${variants[variant]} ${props.className ?? ''}`}
    >
      {children}
    </button>
  );
}
