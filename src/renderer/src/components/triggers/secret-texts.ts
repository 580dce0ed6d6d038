import type { WebhookSecretKind } from '../../../../shared/ipc/webhook.contract';
import type { SecretKindText } from './secret-field';

/** The two secrets of a project's hook, in the words the Triggers panel uses. */
export const SECRET_TEXTS: Record<WebhookSecretKind, SecretKindText> = {
  token: {
    label: 'Token',
    inSentence: 'token',
    prefix: 'qxt_',
    purpose:
      'Scripts and git hooks send it as Authorization: Bearer <token>. Quadraxis keeps only a hash of it; it cannot sign GitHub deliveries.',
    regenerateWarning:
      'The current token stops working at once, also for a running quadraxis serve. Update your scripts and git hooks afterwards. The GitHub secret is not affected.',
  },
  github: {
    label: 'GitHub secret',
    inSentence: 'GitHub secret',
    prefix: 'qxg_',
    purpose:
      'GitHub signs each delivery with it (the webhook’s Secret field). Quadraxis keeps it encrypted; it is not a token.',
    regenerateWarning:
      'GitHub’s deliveries are refused until you paste the new secret into the webhook’s settings on GitHub. The token is not affected.',
  },
};
