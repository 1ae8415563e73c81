/**
 * The built-in wording of every mail, per locale: English (the default, and the fallback for
 * any locale not shipped) and German. Operators reword or add locales with files in
 * `MAIL_TEMPLATES_DIR` (see `email.overrides.ts`); these are code, not templates, so nothing
 * here is evaluated from outside.
 */
export interface EmailCatalog {
  greeting: string;
  greetingNamed: (name: string) => string;
  ignore: string;
  notYou: string;
  askAdmin: string;
  openAccount: string;
  linkWorksOnce: (duration: string) => string;
  duration: (n: number, unit: 'day' | 'hour' | 'minute' | 'second') => string;
  verifyEmail: { subject: string; line: string; action: string };
  resetPassword: { subject: string; line: string; action: string; notAsked: string };
  accountExists: { subject: string; lines: [string, string]; action: string };
  passwordChanged: { subject: string; line: string };
  mfaDisabled: { subject: string; line: string };
  recoveryCodeUsed: { subject: string; line: string; remaining: (n: number) => string };
  confirmEmailChange: {
    subject: string;
    lines: [string, string];
    action: string;
    notAsked: string;
  };
  emailChangeRequested: { subject: string; line: (newEmail: string) => string; pending: string };
  emailChanged: { subject: string; line: string };
  accountDeleted: { subject: string; line: string };
}

const en: EmailCatalog = {
  greeting: 'Hello,',
  greetingNamed: (name) => `Hello ${name},`,
  ignore: 'If this was not you, you can ignore this mail.',
  notYou: 'If this was not you, reset your password now and review your account.',
  askAdmin: 'If this was not you, contact your administrator at once.',
  openAccount: 'Open your account',
  linkWorksOnce: (d) => `The link works once, for ${d}.`,
  duration: (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`,
  verifyEmail: {
    subject: 'Confirm your email address',
    line: 'Please confirm your email address to finish setting up your account.',
    action: 'Confirm email',
  },
  resetPassword: {
    subject: 'Reset your password',
    line: 'We received a request to reset the password of your account.',
    action: 'Choose a new password',
    notAsked: 'If you did not ask for this, ignore this mail: your password stays as it is.',
  },
  accountExists: {
    subject: 'You already have an account',
    lines: [
      'Someone tried to create an account with this email address, but it already has one.',
      'If that was you and you forgot your password, you can choose a new one:',
    ],
    action: 'Reset your password',
  },
  passwordChanged: {
    subject: 'Your password was changed',
    line: 'The password of your account was just changed.',
  },
  mfaDisabled: {
    subject: 'Two-factor authentication was turned off',
    line: 'Two-factor authentication was just turned off for your account.',
  },
  recoveryCodeUsed: {
    subject: 'A recovery code was used to sign in',
    line: 'A recovery code was just used to sign in to your account.',
    remaining: (n) => `Recovery codes left: ${n}.`,
  },
  confirmEmailChange: {
    subject: 'Confirm your new email address',
    lines: [
      'Please confirm that this is the new email address of your account.',
      'Nothing changes until you do.',
    ],
    action: 'Confirm the new address',
    notAsked: 'If you did not ask for this, ignore this mail: the account keeps its address.',
  },
  emailChangeRequested: {
    subject: 'A change of your email address was requested',
    line: (newEmail) =>
      `Someone signed in to your account asked to change its email address to ${newEmail}.`,
    pending: 'Nothing changes until the link we sent to that address is confirmed.',
  },
  emailChanged: {
    subject: 'Your email address was changed',
    line: 'The email address of your account was just changed: mail now goes to the new address, and your other devices were signed out.',
  },
  accountDeleted: {
    subject: 'Your account was deleted',
    line: 'Your account was deleted at your request: its personal data is erased and every device was signed out.',
  },
};

const GERMAN_UNITS = {
  day: ['Tag', 'Tage'],
  hour: ['Stunde', 'Stunden'],
  minute: ['Minute', 'Minuten'],
  second: ['Sekunde', 'Sekunden'],
} as const;

const de: EmailCatalog = {
  greeting: 'Hallo,',
  greetingNamed: (name) => `Hallo ${name},`,
  ignore: 'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.',
  notYou:
    'Falls Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück und prüfen Sie Ihr Konto.',
  askAdmin: 'Falls Sie das nicht waren, wenden Sie sich sofort an Ihre Administration.',
  openAccount: 'Konto öffnen',
  linkWorksOnce: (d) => `Der Link ist einmal verwendbar und ${d} gültig.`,
  duration: (n, unit) => `${n} ${GERMAN_UNITS[unit][n === 1 ? 0 : 1]}`,
  verifyEmail: {
    subject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    line: 'Bitte bestätigen Sie Ihre E-Mail-Adresse, um die Einrichtung Ihres Kontos abzuschließen.',
    action: 'E-Mail-Adresse bestätigen',
  },
  resetPassword: {
    subject: 'Setzen Sie Ihr Passwort zurück',
    line: 'Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos zurückzusetzen.',
    action: 'Neues Passwort wählen',
    notAsked:
      'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
  },
  accountExists: {
    subject: 'Sie haben bereits ein Konto',
    lines: [
      'Jemand hat versucht, mit dieser E-Mail-Adresse ein Konto anzulegen, aber es gibt bereits eines.',
      'Falls Sie das waren und Ihr Passwort vergessen haben, können Sie ein neues wählen:',
    ],
    action: 'Passwort zurücksetzen',
  },
  passwordChanged: {
    subject: 'Ihr Passwort wurde geändert',
    line: 'Das Passwort Ihres Kontos wurde soeben geändert.',
  },
  mfaDisabled: {
    subject: 'Die Zwei-Faktor-Authentifizierung wurde ausgeschaltet',
    line: 'Die Zwei-Faktor-Authentifizierung Ihres Kontos wurde soeben ausgeschaltet.',
  },
  recoveryCodeUsed: {
    subject: 'Mit einem Wiederherstellungscode wurde angemeldet',
    line: 'Soeben wurde ein Wiederherstellungscode verwendet, um sich bei Ihrem Konto anzumelden.',
    remaining: (n) => `Verbleibende Wiederherstellungscodes: ${n}.`,
  },
  confirmEmailChange: {
    subject: 'Bestätigen Sie Ihre neue E-Mail-Adresse',
    lines: [
      'Bitte bestätigen Sie, dass dies die neue E-Mail-Adresse Ihres Kontos ist.',
      'Bis dahin ändert sich nichts.',
    ],
    action: 'Neue Adresse bestätigen',
    notAsked:
      'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Das Konto behält seine Adresse.',
  },
  emailChangeRequested: {
    subject: 'Eine Änderung Ihrer E-Mail-Adresse wurde angefordert',
    line: (newEmail) =>
      `Jemand, der bei Ihrem Konto angemeldet ist, möchte dessen E-Mail-Adresse in ${newEmail} ändern.`,
    pending:
      'Nichts ändert sich, bevor der Link bestätigt wird, den wir an diese Adresse gesendet haben.',
  },
  emailChanged: {
    subject: 'Ihre E-Mail-Adresse wurde geändert',
    line: 'Die E-Mail-Adresse Ihres Kontos wurde soeben geändert: E-Mails gehen nun an die neue Adresse, und Ihre anderen Geräte wurden abgemeldet.',
  },
  accountDeleted: {
    subject: 'Ihr Konto wurde gelöscht',
    line: 'Ihr Konto wurde auf Ihren Wunsch gelöscht: Die persönlichen Daten sind gelöscht und alle Geräte wurden abgemeldet.',
  },
};

/** The locale every mail falls back to. */
export const DEFAULT_MAIL_LOCALE = 'en';

/** Built-in catalogs by locale tag (lower case). A Map: a tag is never a property lookup. */
export const BUILT_IN_CATALOGS: ReadonlyMap<string, EmailCatalog> = new Map([
  ['en', en],
  ['de', de],
]);
