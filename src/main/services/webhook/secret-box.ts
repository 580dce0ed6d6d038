import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { AppError } from '../../../shared/result';
import { loadOrCreateKeyFile } from './key-file';

/**
 * Seals webhook secrets at rest. The app passes one backed by Electron's safeStorage (the OS keychain);
 * `quadraxis serve` and the CLI use a key file readable only by its owner, or a key from the environment.
 * Each sealed secret records the box's kind and key id, so a process holding a different box can say
 * which one sealed it instead of failing with a bare decryption error.
 */
export interface SecretBox {
  /** `safe-storage`, `key-file` or `env-key`. */
  readonly kind: string;
  /** Tells two boxes of one kind apart (two key files); undefined when the box cannot know (safeStorage). */
  readonly keyId: string | undefined;
  /** For messages: "the key file /home/me/.config/Quadraxis/webhook/secret.key". */
  readonly description: string;
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

/** The part of Electron's safeStorage the app's box needs; structural, so this file never imports electron. */
export interface SafeStorageLike {
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

export function safeStorageBox(safeStorage: SafeStorageLike): SecretBox {
  return {
    kind: 'safe-storage',
    keyId: undefined,
    description: 'the Quadraxis app’s OS keychain (Electron safeStorage)',
    encrypt: (text) => safeStorage.encryptString(text),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: version byte, IV, tag, ciphertext. GCM's tag turns a wrong key into an error, not garbage. */
function aesBox(kind: string, description: string, key: () => Buffer): SecretBox {
  let keyId: string | undefined;
  return {
    kind,
    description,
    get keyId() {
      keyId ??= createHash('sha256')
        .update('quadraxis webhook key id')
        .update(key())
        .digest('hex')
        .slice(0, 16);
      return keyId;
    },
    encrypt(text) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key(), iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT)
        throw new Error('not a sealed secret');
      const iv = data.subarray(1, 1 + IV_BYTES);
      const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key(), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** A 32-byte key in `file` (mode 0600), created on first use; refused when others can read it. */
export function keyFileBox(file: string): SecretBox {
  let key: Buffer | undefined;
  return aesBox('key-file', `the key file ${file}`, () => (key ??= loadOrCreateKeyFile(file)));
}

export const WEBHOOK_KEY_ENV = 'QUADRAXIS_WEBHOOK_KEY';
const MIN_ENV_KEY_LENGTH = 16;

/** A key from QUADRAXIS_WEBHOOK_KEY (any string of 16+ characters), stretched with scrypt. */
export function envKeyBox(value: string): SecretBox {
  if (value.length < MIN_ENV_KEY_LENGTH) {
    throw new AppError(
      'INVALID_INPUT',
      `${WEBHOOK_KEY_ENV} is too short: use at least ${MIN_ENV_KEY_LENGTH} random characters (openssl rand -base64 32).`,
    );
  }
  let key: Buffer | undefined;
  return aesBox(
    'env-key',
    `the key in ${WEBHOOK_KEY_ENV}`,
    () => (key ??= scryptSync(value, 'quadraxis webhook key', 32)),
  );
}

/** The box for a process without Electron: the environment's key wins over the key file. */
export function serverSecretBox(env: NodeJS.ProcessEnv, keyFile: string): SecretBox {
  const fromEnv = env[WEBHOOK_KEY_ENV];
  return fromEnv ? envKeyBox(fromEnv) : keyFileBox(keyFile);
}
