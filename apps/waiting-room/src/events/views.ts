import type { AdminEventView, EventView } from '@frequency/contracts';
import { type EventSnapshot, phaseOf, waitingCount } from './event-cache.js';

/** 1. GET /v1/events/{eventId}: the seed is revealed only once the shuffle it decided is written. */
export function toEventView(
  snapshot: EventSnapshot,
  nowMs: number,
  prequeueWindowMs: number,
): EventView {
  const { config } = snapshot;
  return {
    id: config.id,
    name: config.name,
    venue: config.venue,
    ticketsTotal: config.ticketsTotal,
    maxPerOrder: config.maxPerOrder,
    opensAt: config.opensAt,
    phase: phaseOf(snapshot, nowMs, prequeueWindowMs),
    waiting: waitingCount(snapshot),
    admittedTotal: snapshot.admittedTotal,
    admissionRatePerSecond: config.admissionRatePerSecond,
    shuffleCommitment: snapshot.commitment,
    shuffleSeed: snapshot.shuffled ? snapshot.seed : null,
    joinChallengeBits: config.joinChallengeBits,
  };
}

export function toAdminView(
  snapshot: EventSnapshot,
  nowMs: number,
  prequeueWindowMs: number,
): AdminEventView {
  const { checkoutWindowSeconds: _window, ...config } = snapshot.config;
  return {
    config,
    phase: phaseOf(snapshot, nowMs, prequeueWindowMs),
    waiting: waitingCount(snapshot),
    admittedTotal: snapshot.admittedTotal,
    activeCheckouts: snapshot.activeCheckouts,
    ticketsRemaining: Math.max(0, snapshot.stock),
    ticketsSold: snapshot.sold,
    admissionRatePerSecond: config.admissionRatePerSecond,
    achievedAdmissionRatePerSecond: Math.round(snapshot.achievedRatePerSecond * 100) / 100,
    skippedTotal: snapshot.skippedLeft + snapshot.skippedAbandoned,
  };
}
