'use client';

import { BuyerSchema } from '@frequency/contracts';
import { useId, useRef, useState } from 'react';
import { ApiError, type Api } from '../lib/api';
import { formatClock } from '../lib/format';
import { useNow } from '../lib/hooks';
import { receiptStore, type OrderRecord } from '../lib/storage';
import { useI18n } from '../i18n/language';
import { Button, Panel } from './panel';

interface CheckoutFormProps {
  api: Api;
  eventId: string;
  admission: { token: string; expiresAt: string };
  maxPerOrder: number;
  existing: OrderRecord | null;
  onRecord: (record: OrderRecord) => void;
  onExpired: () => void;
  onSoldOut: () => void;
}

type FieldErrors = Partial<Record<'name' | 'email', string>>;

/**
 * Quantity, name and e-mail, sent once. The idempotency key is stored before the request leaves, so
 * a double click, a retry or a reload after a lost answer all name the same order.
 */
export function CheckoutForm(props: CheckoutFormProps) {
  const { t } = useI18n();
  const now = useNow();
  const ids = useId();
  const [quantity, setQuantity] = useState(1);
  const [name, setName] = useState('');
  const [email, setEmail] = useState(props.existing?.email ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inFlight = useRef(false);
  const expiresAt = Date.parse(props.admission.expiresAt);
  const left = now === null ? null : expiresAt - now;
  const expired = left !== null && left <= 0;
  const choices = Array.from({ length: Math.max(1, props.maxPerOrder) }, (_, i) => i + 1);

  async function submit(event: React.SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inFlight.current || expired) return;
    // The API refuses text that is not NFC (a decomposed "é" from some keyboards): send it composed.
    const parsed = BuyerSchema.safeParse({ name: name.normalize('NFC'), email: email.normalize('NFC') });
    if (!parsed.success) {
      const next: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === 'name') next.name = t.checkout.nameError;
        if (issue.path[0] === 'email') next.email = t.checkout.emailError;
      }
      setErrors(next);
      setProblem(t.checkout.formErrors);
      const first = next.name ? `${ids}-name` : `${ids}-email`;
      document.getElementById(first)?.focus();
      return;
    }
    setErrors({});
    setProblem(null);
    inFlight.current = true;
    setSubmitting(true);
    const reuse = props.existing?.admissionToken === props.admission.token ? props.existing : null;
    const record: OrderRecord = {
      admissionToken: props.admission.token,
      idempotencyKey: reuse?.idempotencyKey ?? crypto.randomUUID(),
      orderId: null,
      email: parsed.data.email,
      tickets: null,
      status: null,
      quantity,
    };
    props.onRecord(record);
    try {
      const accepted = await props.api.placeOrder(props.eventId, record.admissionToken, record.idempotencyKey, {
        quantity,
        buyer: parsed.data,
      });
      receiptStore.write(accepted.orderId, accepted.receiptToken);
      props.onRecord({ ...record, orderId: accepted.orderId, status: 'pending', quantity: accepted.quantity });
    } catch (err) {
      inFlight.current = false;
      setSubmitting(false);
      if (!(err instanceof ApiError)) {
        setProblem(t.checkout.failed);
        return;
      }
      if (err.code === 'SOLD_OUT') {
        props.onSoldOut();
      } else if (err.code === 'INSUFFICIENT_TICKETS') {
        const remaining = await props.api
          .availability(props.eventId)
          .then((a) => a.ticketsRemaining)
          .catch(() => 0);
        if (remaining === 0) props.onSoldOut();
        else {
          setQuantity(Math.min(quantity, remaining));
          setProblem(t.checkout.insufficient(remaining));
        }
      } else if (err.code === 'TOKEN_EXPIRED' || err.code === 'TOKEN_INVALID') {
        props.onExpired();
      } else if (err.code === 'ADMISSION_USED') {
        setProblem(t.checkout.used);
      } else if (err.code === 'BUYER_LIMIT') {
        setProblem(t.checkout.buyerLimit);
      } else if (err.code === 'ADMISSION_REVOKED') {
        props.onExpired();
      } else if (err.code === 'UNAVAILABLE') {
        // Nothing stays reserved; sending again (same idempotency key) reserves the same order.
        setProblem(t.checkout.unavailable);
      } else {
        setProblem(t.checkout.failed);
      }
    }
  }

  return (
    <Panel title={t.checkout.title} tone="success" titleId={`${ids}-title`}>
      <p>{t.checkout.intro}</p>
      <div className="flex items-baseline gap-3 rounded-xl bg-surface-muted p-4" data-testid="checkout-window">
        <span className="font-semibold text-ink">{t.checkout.windowLeft}</span>
        <span role="timer" className="text-3xl font-bold tabular-nums text-ink">
          {left === null ? '--:--' : formatClock(left)}
        </span>
      </div>
      {expired ? (
        <div role="alert" className="space-y-3">
          <p className="font-semibold text-danger">{t.checkout.windowExpired}</p>
          <Button onClick={props.onExpired}>{t.gone.rejoin}</Button>
        </div>
      ) : (
        <form noValidate onSubmit={(e) => void submit(e)} className="space-y-5" aria-describedby={problem ? `${ids}-problem` : undefined}>
          <fieldset>
            <legend className="font-semibold text-ink">{t.checkout.quantity}</legend>
            <div className="mt-2 flex flex-wrap gap-2">
              {choices.map((n) => (
                <label
                  key={n}
                  className="relative flex size-14 cursor-pointer items-center justify-center rounded-xl border-2 border-ink text-xl font-bold text-ink has-checked:bg-ink has-checked:text-white has-focus-visible:outline-3 has-focus-visible:outline-offset-2 has-focus-visible:outline-focus"
                >
                  <input
                    type="radio"
                    name="quantity"
                    value={n}
                    checked={quantity === n}
                    onChange={() => {
                      setQuantity(n);
                    }}
                    className="sr-only"
                  />
                  {n}
                </label>
              ))}
            </div>
          </fieldset>
          <div>
            <label htmlFor={`${ids}-name`} className="block font-semibold text-ink">
              {t.checkout.name}
            </label>
            <input
              id={`${ids}-name`}
              name="name"
              autoComplete="name"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setErrors((current) => ({ ...current, name: undefined }));
              }}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? `${ids}-name-error` : undefined}
              className="focus-ring mt-1 block w-full rounded-lg border-2 border-ink-soft bg-surface px-3 py-3 text-lg text-ink aria-invalid:border-danger"
            />
            {errors.name && (
              <p id={`${ids}-name-error`} className="mt-1 font-semibold text-danger">
                {errors.name}
              </p>
            )}
          </div>
          <div>
            <label htmlFor={`${ids}-email`} className="block font-semibold text-ink">
              {t.checkout.email}
            </label>
            <input
              id={`${ids}-email`}
              name="email"
              type="email"
              inputMode="email"
              autoComplete="email"
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setErrors((current) => ({ ...current, email: undefined }));
              }}
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={errors.email ? `${ids}-email-error` : undefined}
              className="focus-ring mt-1 block w-full rounded-lg border-2 border-ink-soft bg-surface px-3 py-3 text-lg text-ink aria-invalid:border-danger"
            />
            {errors.email && (
              <p id={`${ids}-email-error`} className="mt-1 font-semibold text-danger">
                {errors.email}
              </p>
            )}
          </div>
          {problem && (
            <p id={`${ids}-problem`} role="alert" className="rounded-lg bg-danger-soft p-3 font-semibold text-danger">
              {problem}
            </p>
          )}
          <Button type="submit" disabled={submitting} aria-disabled={submitting} className="w-full sm:w-auto">
            {submitting ? t.checkout.submitting : t.checkout.submit(quantity)}
          </Button>
        </form>
      )}
    </Panel>
  );
}
