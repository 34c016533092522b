/**
 * @module Secrets at rest: AES-256-GCM with a random 96-bit IV per value and a 32-byte key kept in a file of mode
 * 0600, created on first use. A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url), so a wrong key or an
 * edited value fails to open instead of decrypting to garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';

/** A key to seal and open secrets with. */
export interface SecretKey {
  readonly bytes: Buffer;
}

/**
 * Reads the key in `file`, or creates it (32 random bytes, mode 0600) when there is none. A key file that others may
 * read is tightened to 0600, as `ssh` insists on for its keys.
 *
 * @throws Error when the file exists but is not a key (wrong length).
 */
export function loadOrCreateKey(file: string): SecretKey {
  mkdirSync(dirname(file), { recursive: true });
  try {
    // `wx`: never overwrite a key another process just wrote (that would orphan what it sealed).
    writeFileSync(file, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const bytes = readFileSync(file);
  if (bytes.length !== KEY_BYTES) throw new Error(`${file} is not a Deckhand key (expected ${KEY_BYTES} bytes, found ${bytes.length}).`);
  return { bytes };
}

/** Encrypts `plaintext` with `key`. */
export function seal(key: SecretKey, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Decrypts a value {@link seal} made. @throws Error when the key is not the one it was sealed with, or it was altered. */
export function open(key: SecretKey, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
