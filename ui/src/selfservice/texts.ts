/** The self-service pages' texts, in the languages of the hosted pages. */
export const SELF_SERVICE_TEXTS = {
  en: {
    'title.reset': 'Reset your password',
    'title.registration': 'Create an account',
    'title.username': 'Forgot your username?',
    'userQuery.label': 'E-mail address',
    'userQuery.hint': 'Enter the e-mail address of your account.',
    'mail.label': 'E-mail address',
    'checkMail.heading': 'Check your e-mail',
    'checkMail.text':
      'If an account matches, we have sent an e-mail with a link. Follow it to continue; it can be used once and expires after a few minutes.',
    'password.label': 'New password',
    'password.rules': 'Your password:',
    'kba.heading': 'Security questions',
    'kba.choose': 'Choose a question',
    'kba.custom': 'Write my own question',
    'kba.customQuestion': 'Your question',
    'kba.answer': 'Answer',
    'kba.question': 'Question',
    'terms.accept': 'I accept the terms and conditions',
    'captcha.unavailable': 'This step needs a captcha, which these pages cannot show.',
    'field.userName': 'Username',
    'field.givenName': 'First name',
    'field.sn': 'Last name',
    'field.mail': 'E-mail address',
    'field.password': 'Password',
    continue: 'Continue',
    'submit.reset': 'Change password',
    'done.reset': 'Your password has been changed. You can now sign in with it.',
    'done.registration': 'Your account has been created. You can now sign in.',
    'done.username': 'If an account matches, its username has been sent to its e-mail address.',
    'done.usernameShown': 'Your username is {userName}.',
    signIn: 'Sign in',
    'error.heading': 'There is a problem',
    'error.again': 'Start again',
    'error.network': 'The server could not be reached. Try again.',
    'error.required': 'This field is required.',
  },
  fr: {
    'title.reset': 'Réinitialisez votre mot de passe',
    'title.registration': 'Créer un compte',
    'title.username': 'Nom d’utilisateur oublié ?',
    'userQuery.label': 'Adresse e-mail',
    'userQuery.hint': 'Saisissez l’adresse e-mail de votre compte.',
    'mail.label': 'Adresse e-mail',
    'checkMail.heading': 'Consultez vos e-mails',
    'checkMail.text':
      'Si un compte correspond, nous avons envoyé un e-mail contenant un lien. Suivez-le pour continuer ; il ne sert qu’une fois et expire au bout de quelques minutes.',
    'password.label': 'Nouveau mot de passe',
    'password.rules': 'Votre mot de passe :',
    'kba.heading': 'Questions de sécurité',
    'kba.choose': 'Choisissez une question',
    'kba.custom': 'Écrire ma propre question',
    'kba.customQuestion': 'Votre question',
    'kba.answer': 'Réponse',
    'kba.question': 'Question',
    'terms.accept': 'J’accepte les conditions générales',
    'captcha.unavailable': 'Cette étape demande un captcha, que ces pages ne peuvent pas afficher.',
    'field.userName': 'Nom d’utilisateur',
    'field.givenName': 'Prénom',
    'field.sn': 'Nom',
    'field.mail': 'Adresse e-mail',
    'field.password': 'Mot de passe',
    continue: 'Continuer',
    'submit.reset': 'Changer le mot de passe',
    'done.reset': 'Votre mot de passe a été changé. Vous pouvez maintenant vous connecter avec.',
    'done.registration': 'Votre compte a été créé. Vous pouvez maintenant vous connecter.',
    'done.username': 'Si un compte correspond, son nom d’utilisateur a été envoyé à son adresse e-mail.',
    'done.usernameShown': 'Votre nom d’utilisateur est {userName}.',
    signIn: 'Se connecter',
    'error.heading': 'Un problème est survenu',
    'error.again': 'Recommencer',
    'error.network': 'Le serveur est injoignable. Réessayez.',
    'error.required': 'Ce champ est obligatoire.',
  },
} as const;

export type SelfServiceTextKey = keyof (typeof SELF_SERVICE_TEXTS)['en'];

export function selfServiceText(locale: string, key: SelfServiceTextKey, params: Record<string, string> = {}): string {
  const catalog: Readonly<Record<string, string>> = locale === 'fr' ? SELF_SERVICE_TEXTS.fr : SELF_SERVICE_TEXTS.en;
  const text = catalog[key] ?? SELF_SERVICE_TEXTS.en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** Whether `key` names one of these texts (a field label may be a key or a server's description). */
export const isTextKey = (key: string): key is SelfServiceTextKey => Object.hasOwn(SELF_SERVICE_TEXTS.en, key);
