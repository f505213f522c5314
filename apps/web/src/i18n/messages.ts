/**
 * Every word the pages show, in German (the default) and English. One object per language with the
 * same shape, so a missing translation is a type error rather than a blank on the page.
 */
export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'de';

export function isLanguage(value: unknown): value is Language {
  return value === 'de' || value === 'en';
}

const de = {
  meta: { languageName: 'Deutsch', switchTo: 'Sprache', skipToContent: 'Zum Inhalt springen' },
  site: { tagline: 'Offizieller Ticketverkauf', opsConsole: 'Ops-Konsole' },
  event: {
    loading: 'Veranstaltung wird geladen …',
    notFound: 'Diese Veranstaltung gibt es nicht.',
    unreachable: 'Der Ticketverkauf ist gerade nicht erreichbar. Wir versuchen es weiter.',
    where: 'Ort',
    ticketsRemaining: 'Tickets verfügbar',
    ticketsOf: (total: string) => `von ${total}`,
    maxPerOrder: (n: number) => `Höchstens ${n} Tickets pro Bestellung`,
    opensIn: 'Verkaufsstart in',
    openedAt: (when: string) => `Verkauf seit ${when}`,
    opensAt: (when: string) => `Verkaufsstart: ${when}`,
    inLine: (n: number, shown: string) =>
      n === 1 ? '1 Fan in der Warteschlange' : `${shown} Fans in der Warteschlange`,
    phase: {
      scheduled: 'Bald verfügbar',
      prequeue: 'Vor-Warteschlange offen',
      open: 'Verkauf läuft',
      paused: 'Verkauf kurz pausiert',
      sold_out: 'Ausverkauft',
    },
  },
  countdown: {
    days: 'Tage',
    hours: 'Std',
    minutes: 'Min',
    seconds: 'Sek',
    label: (text: string) => `Noch ${text}`,
    now: 'Jetzt geöffnet',
  },
  join: {
    title: 'Sichere dir deinen Platz',
    intro:
      'Stell dich jetzt in die Warteschlange. Du musst die Seite nicht offen halten: dein Platz bleibt auch nach einem Neuladen erhalten.',
    introPrequeue:
      'Die Vor-Warteschlange ist offen. Wer vor dem Start da ist, wird beim Start fair ausgelost.',
    button: 'In die Warteschlange',
    joining: 'Einen Moment …',
    notOpenYet:
      'Die Warteschlange öffnet bald. Versuche es kurz vor dem Verkaufsstart noch einmal.',
    rateLimited: (s: number) => `Zu viele Versuche. Bitte warte ${s} Sekunden.`,
    failed: 'Das hat nicht geklappt. Bitte versuche es noch einmal.',
    checking: 'Wir prüfen deinen Browser …',
    checkingHint:
      'Dein Gerät löst eine kleine Rechenaufgabe, damit Bots sich nicht massenhaft anstellen können. Das dauert meist nur ein paar Sekunden; du kannst die Seite dabei weiter benutzen.',
    checkingProgress: 'Fortschritt der Browserprüfung',
    checkingAnnounce: (percent: number) => `Wir prüfen deinen Browser: ${percent} %`,
    challengeFailed: 'Die Browserprüfung hat nicht geklappt. Bitte versuche es noch einmal.',
    challengeUnsupported:
      'Dein Browser kann die Browserprüfung nicht ausführen. Bitte verwende einen aktuellen Browser.',
  },
  queue: {
    title: 'Du bist in der Warteschlange',
    prequeueTitle: 'Du bist in der Vor-Warteschlange',
    prequeueBody:
      'Alle, die vor dem Verkaufsstart hier sind, werden beim Start in eine zufällige Reihenfolge gebracht. Früher zu kommen bringt also keinen Vorteil, und niemand muss vor dem Bildschirm wachen.',
    shuffleTitle: 'So bleibt die Auslosung fair',
    commitment:
      'Vor dem Start veröffentlichen wir den Fingerabdruck (SHA-256) des Zufallswerts, mit dem gemischt wird:',
    seed: 'Nach dem Start wird der Zufallswert selbst veröffentlicht. Jeder kann prüfen, dass sein SHA-256 dem Fingerabdruck entspricht:',
    seedPending: 'Der Zufallswert wird beim Start veröffentlicht.',
    noCommitment: 'Der Fingerabdruck wird in Kürze veröffentlicht.',
    position: 'Dein Platz',
    ahead: 'Vor dir',
    estimatedWait: 'Geschätzte Wartezeit',
    progress: 'Fortschritt in der Warteschlange',
    waitUnknown: 'wird berechnet',
    waitMinutes: (m: number) => (m === 1 ? 'etwa 1 Minute' : `etwa ${m} Minuten`),
    waitSeconds: 'weniger als 1 Minute',
    announce: (position: string, ahead: string) => `Dein Platz: ${position}. Vor dir: ${ahead}.`,
    keepOpen:
      'Wir aktualisieren automatisch. Du kannst die Seite neu laden oder in einem anderen Tab öffnen, dein Platz bleibt.',
    paused: 'Der Verkauf ist kurz pausiert. Dein Platz bleibt erhalten.',
    leave: 'Warteschlange verlassen',
    leaveConfirm: 'Wirklich verlassen? Dein Platz geht verloren.',
    leaveYes: 'Ja, verlassen',
    leaveNo: 'Nein, bleiben',
    reconnecting: 'Verbindung wird wiederhergestellt …',
  },
  gone: {
    soldOutTitle: 'Leider ausverkauft',
    soldOutBody:
      'Alle Tickets sind vergeben. Danke für deine Geduld. Folge uns, um von Zusatzkontingenten und dem nächsten Jahr als Erste:r zu erfahren.',
    expiredTitle: 'Deine Zeit ist abgelaufen',
    expiredBody:
      'Dein Platz in der Warteschlange oder dein Zeitfenster für den Kauf ist abgelaufen. Das tut uns leid. Solange es Tickets gibt, kannst du dich wieder anstellen.',
    leftTitle: 'Du hast die Warteschlange verlassen',
    leftBody:
      'Dein Platz wurde freigegeben. Solange es Tickets gibt, kannst du dich wieder anstellen.',
    rejoin: 'Wieder anstellen',
  },
  checkout: {
    title: 'Du bist dran!',
    intro: 'Dein Zeitfenster für den Kauf läuft. Wähle deine Tickets und gib deine Daten ein.',
    windowLeft: 'Verbleibende Zeit',
    windowExpired: 'Dein Zeitfenster ist abgelaufen.',
    quantity: 'Anzahl Tickets',
    name: 'Name',
    email: 'E-Mail',
    nameError: 'Bitte gib deinen Namen ein.',
    emailError: 'Bitte gib eine gültige E-Mail-Adresse ein.',
    submit: (n: number) => (n === 1 ? '1 Ticket kaufen' : `${n} Tickets kaufen`),
    submitting: 'Bestellung wird gesendet …',
    soldOut: 'Während du bestellt hast, wurden die letzten Tickets verkauft. Es tut uns leid.',
    insufficient: (n: number) =>
      n > 0
        ? `Es sind nur noch ${n} Tickets übrig. Bitte wähle weniger.`
        : 'Für diese Anzahl sind nicht mehr genug Tickets übrig.',
    expired: 'Dein Zeitfenster ist abgelaufen. Bitte stell dich erneut an.',
    used: 'Mit diesem Zeitfenster wurde bereits bestellt.',
    buyerLimit:
      'Für diese E-Mail-Adresse wurden bereits so viele Tickets gekauft, wie pro Person erlaubt sind.',
    failed: 'Die Bestellung konnte nicht gesendet werden. Bitte versuche es noch einmal.',
    unavailable:
      'Die Bestellung konnte gerade nicht angenommen werden; es ist nichts reserviert. Bitte versuche es gleich noch einmal.',
    formErrors: 'Bitte korrigiere die markierten Felder.',
  },
  order: {
    pendingTitle: 'Bestellung wird bestätigt …',
    pendingBody: 'Deine Tickets sind reserviert. Die Bestätigung dauert nur einen Moment.',
    confirmedTitle: 'Deine Tickets sind bestätigt',
    confirmedBody: (n: number, email: string) =>
      `${n === 1 ? 'Dein Ticket' : `Deine ${n} Tickets`}. Die Bestätigung per E-Mail an ${email} ist unterwegs. Zeig den QR-Code am Einlass.`,
    rejectedTitle: 'Bestellung abgelehnt',
    rejectedBody: 'Deine Bestellung konnte nicht abgeschlossen werden. Es wurde nichts berechnet.',
    rejectedReason: {
      SOLD_OUT:
        'Die letzten Tickets waren schon vergeben, als deine Bestellung ankam. Es wurde nichts berechnet.',
      INVALID: 'Deine Bestellung konnte so nicht angenommen werden. Es wurde nichts berechnet.',
      FAILED:
        'Deine Bestellung konnte wegen einer technischen Störung nicht gespeichert werden. Es wurde nichts berechnet.',
    },
    orderNumber: 'Bestellnummer',
    ticket: (i: number) => `Ticket ${i}`,
    ticketCode: 'Ticket-Code',
    qrAlt: (code: string) => `QR-Code für Ticket ${code}`,
  },
  ops: {
    title: 'Ops-Konsole',
    tokenLabel: 'Ops-Token',
    tokenHelp: 'Wird nur in diesem Tab gespeichert.',
    signIn: 'Anmelden',
    signOut: 'Abmelden',
    tokenRejected: 'Token abgelehnt.',
    eventLabel: 'Veranstaltung',
    show: 'Anzeigen',
    live: 'Live, jede Sekunde aktualisiert',
    stale: 'Keine aktuellen Daten',
    figures: {
      waiting: 'Wartend',
      admitted: 'Eingelassen gesamt',
      active: 'Aktive Kaufzeitfenster',
      rate: 'Einlassrate (erreicht / eingestellt)',
      remaining: 'Tickets übrig',
      sold: 'Tickets verkauft',
      rps: 'Anfragen pro Sekunde',
      p99: 'p99-Latenz',
      backlog: 'Pub/Sub-Rückstau',
      persisted: 'Gespeichert / verkauft',
      phase: 'Phase',
      paused: 'pausiert',
    },
    charts: 'Verlauf (letzte 5 Minuten)',
    controls: 'Steuerung',
    rateLabel: 'Einlassrate pro Sekunde',
    capLabel: 'Max. aktive Kaufzeitfenster',
    opensAtLabel: 'Verkaufsstart',
    pause: 'Einlass pausieren',
    resume: 'Einlass fortsetzen',
    apply: 'Übernehmen …',
    confirmTitle: 'Änderung bestätigen',
    confirmChange: (what: string, from: string, to: string) => `${what}: ${from} → ${to}`,
    confirm: 'Bestätigen',
    cancel: 'Abbrechen',
    applied: (what: string, value: string) => `Übernommen: ${what} = ${value}`,
    inEffect: 'In Kraft',
    failed: 'Änderung fehlgeschlagen',
    down: 'nicht erreichbar',
    audit: {
      title: 'Letzte Änderungen',
      empty: 'Noch keine Änderungen.',
      unavailable: 'Änderungsprotokoll nicht verfügbar',
      when: 'Zeit',
      who: 'Wer',
      field: 'Einstellung',
      change: 'Alt → neu',
      created: 'Veranstaltung angelegt',
      yes: 'ja',
      no: 'nein',
      fields: {
        paused: 'Pausiert',
        joinChallengeBits: 'Beitritts-Rechenaufgabe (Bits)',
        maxPerBuyer: 'Max. Tickets pro Käufer',
      },
    },
  },
};

export type Messages = typeof de;

const en: Messages = {
  meta: { languageName: 'English', switchTo: 'Language', skipToContent: 'Skip to content' },
  site: { tagline: 'Official ticket sale', opsConsole: 'Ops console' },
  event: {
    loading: 'Loading the event …',
    notFound: 'There is no such event.',
    unreachable: 'The ticket sale cannot be reached right now. We keep trying.',
    where: 'Venue',
    ticketsRemaining: 'Tickets available',
    ticketsOf: (total: string) => `of ${total}`,
    maxPerOrder: (n: number) => `At most ${n} tickets per order`,
    opensIn: 'Sale opens in',
    openedAt: (when: string) => `On sale since ${when}`,
    opensAt: (when: string) => `Sale opens: ${when}`,
    inLine: (n: number, shown: string) => (n === 1 ? '1 fan in line' : `${shown} fans in line`),
    phase: {
      scheduled: 'Coming soon',
      prequeue: 'Pre-queue open',
      open: 'On sale now',
      paused: 'Sale briefly paused',
      sold_out: 'Sold out',
    },
  },
  countdown: {
    days: 'days',
    hours: 'hrs',
    minutes: 'min',
    seconds: 'sec',
    label: (text: string) => `${text} to go`,
    now: 'Open now',
  },
  join: {
    title: 'Get your place in line',
    intro:
      'Join the queue now. You do not need to keep this page open: reloading never costs you your place.',
    introPrequeue:
      'The pre-queue is open. Everyone who arrives before the start is put in a fair random order at opening.',
    button: 'Join the queue',
    joining: 'One moment …',
    notOpenYet: 'The queue opens soon. Please try again shortly before the sale starts.',
    rateLimited: (s: number) => `Too many attempts. Please wait ${s} seconds.`,
    failed: 'That did not work. Please try again.',
    checking: 'Checking your browser …',
    checkingHint:
      'Your device is solving a small puzzle so that bots cannot join the queue by the thousand. It usually takes a few seconds; you can keep using the page meanwhile.',
    checkingProgress: 'Browser check progress',
    checkingAnnounce: (percent: number) => `Checking your browser: ${percent} %`,
    challengeFailed: 'The browser check did not work. Please try again.',
    challengeUnsupported:
      'Your browser cannot run the browser check. Please use an up-to-date browser.',
  },
  queue: {
    title: 'You are in the queue',
    prequeueTitle: 'You are in the pre-queue',
    prequeueBody:
      'Everyone who is here before the sale opens is shuffled into a random order at opening. Arriving earlier gives no advantage, so nobody has to stay up watching the screen.',
    shuffleTitle: 'How the shuffle stays fair',
    commitment:
      'Before opening we publish the fingerprint (SHA-256) of the random seed used for the shuffle:',
    seed: 'After opening the seed itself is revealed. Anyone can check that its SHA-256 matches the fingerprint:',
    seedPending: 'The seed is revealed at opening.',
    noCommitment: 'The fingerprint will be published shortly.',
    position: 'Your place',
    ahead: 'Ahead of you',
    estimatedWait: 'Estimated wait',
    progress: 'Progress in the queue',
    waitUnknown: 'calculating',
    waitMinutes: (m: number) => (m === 1 ? 'about 1 minute' : `about ${m} minutes`),
    waitSeconds: 'less than a minute',
    announce: (position: string, ahead: string) =>
      `Your place: ${position}. Ahead of you: ${ahead}.`,
    keepOpen:
      'We update automatically. You can reload or open this page in another tab; your place stays.',
    paused: 'The sale is briefly paused. Your place is kept.',
    leave: 'Leave the queue',
    leaveConfirm: 'Really leave? You will lose your place.',
    leaveYes: 'Yes, leave',
    leaveNo: 'No, stay',
    reconnecting: 'Reconnecting …',
  },
  gone: {
    soldOutTitle: 'Sorry, sold out',
    soldOutBody:
      'All tickets are gone. Thank you for your patience. Follow us to hear first about extra tickets and next year.',
    expiredTitle: 'Your time ran out',
    expiredBody:
      'Your place in line or your checkout window has expired. We are sorry. While tickets remain you can join again.',
    leftTitle: 'You left the queue',
    leftBody: 'Your place was released. While tickets remain you can join again.',
    rejoin: 'Join again',
  },
  checkout: {
    title: 'It is your turn!',
    intro: 'Your checkout window is running. Choose your tickets and enter your details.',
    windowLeft: 'Time left',
    windowExpired: 'Your checkout window has expired.',
    quantity: 'Number of tickets',
    name: 'Name',
    email: 'E-mail',
    nameError: 'Please enter your name.',
    emailError: 'Please enter a valid e-mail address.',
    submit: (n: number) => (n === 1 ? 'Buy 1 ticket' : `Buy ${n} tickets`),
    submitting: 'Sending your order …',
    soldOut: 'While you were ordering, the last tickets were sold. We are sorry.',
    insufficient: (n: number) =>
      n > 0
        ? `Only ${n} tickets are left. Please choose fewer.`
        : 'Not enough tickets are left for this quantity.',
    expired: 'Your checkout window has expired. Please join the queue again.',
    used: 'This checkout window has already been used for an order.',
    buyerLimit: 'This e-mail address has already bought as many tickets as one person may.',
    failed: 'The order could not be sent. Please try again.',
    unavailable:
      'The order could not be taken just now; nothing is reserved. Please try again in a moment.',
    formErrors: 'Please correct the marked fields.',
  },
  order: {
    pendingTitle: 'Confirming your order …',
    pendingBody: 'Your tickets are reserved. Confirmation takes just a moment.',
    confirmedTitle: 'Your tickets are confirmed',
    confirmedBody: (n: number, email: string) =>
      `${n === 1 ? 'Your ticket' : `Your ${n} tickets`}. The confirmation e-mail to ${email} is on its way. Show the QR code at the entrance.`,
    rejectedTitle: 'Order rejected',
    rejectedBody: 'Your order could not be completed. You have not been charged.',
    rejectedReason: {
      SOLD_OUT:
        'The last tickets were already gone when your order arrived. You have not been charged.',
      INVALID: 'Your order could not be accepted as it was. You have not been charged.',
      FAILED:
        'Your order could not be stored because of a technical fault. You have not been charged.',
    },
    orderNumber: 'Order number',
    ticket: (i: number) => `Ticket ${i}`,
    ticketCode: 'Ticket code',
    qrAlt: (code: string) => `QR code for ticket ${code}`,
  },
  ops: {
    title: 'Ops console',
    tokenLabel: 'Ops token',
    tokenHelp: 'Kept in this tab only.',
    signIn: 'Sign in',
    signOut: 'Sign out',
    tokenRejected: 'Token rejected.',
    eventLabel: 'Event',
    show: 'Show',
    live: 'Live, refreshed every second',
    stale: 'No current data',
    figures: {
      waiting: 'Waiting',
      admitted: 'Admitted in total',
      active: 'Active checkout windows',
      rate: 'Admission rate (achieved / configured)',
      remaining: 'Tickets remaining',
      sold: 'Tickets sold',
      rps: 'Requests per second',
      p99: 'p99 latency',
      backlog: 'Pub/Sub backlog',
      persisted: 'Persisted / sold',
      phase: 'Phase',
      paused: 'paused',
    },
    charts: 'History (last 5 minutes)',
    controls: 'Controls',
    rateLabel: 'Admission rate per second',
    capLabel: 'Max active checkout windows',
    opensAtLabel: 'Sale opens',
    pause: 'Pause admission',
    resume: 'Resume admission',
    apply: 'Apply …',
    confirmTitle: 'Confirm the change',
    confirmChange: (what: string, from: string, to: string) => `${what}: ${from} → ${to}`,
    confirm: 'Confirm',
    cancel: 'Cancel',
    applied: (what: string, value: string) => `Applied: ${what} = ${value}`,
    inEffect: 'In effect',
    failed: 'Change failed',
    down: 'unreachable',
    audit: {
      title: 'Recent changes',
      empty: 'No changes yet.',
      unavailable: 'Audit trail unavailable',
      when: 'When',
      who: 'Who',
      field: 'Setting',
      change: 'Old → new',
      created: 'Event created',
      yes: 'yes',
      no: 'no',
      fields: {
        paused: 'Paused',
        joinChallengeBits: 'Join challenge (bits)',
        maxPerBuyer: 'Max tickets per buyer',
      },
    },
  },
};

export const messages: Record<Language, Messages> = { de, en };
