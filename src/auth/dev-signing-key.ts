import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

// The local development signing key, made on first use in DATA_DIR (never in the repository), for `mappa token` and `mappa serve --dev-auth`.

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  algorithm: 'ES256' | 'RS256';
}

export const devSigningKeyFile = (dataDir: string): string => path.join(dataDir, 'dev-auth', 'signing-key.pem');

/** The development key of `dataDir`, created (EC P-256, readable by its owner only) if missing. */
export async function loadOrCreateDevSigningKey(dataDir: string): Promise<SigningKey> {
  const file = devSigningKeyFile(dataDir);
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': two processes starting at once must not overwrite each other's key.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      pem = await readFile(file, 'utf8');
    });
    await chmod(file, 0o600);
  }
  return signingKeyFromPem(pem, file);
}

/** A PKCS#8 private key (RSA: RS256, EC P-256: ES256) for signing tokens. */
export function signingKeyFromPem(pem: string, source = 'the private key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`${source} is not a PEM private key.`);
  }
  const type = privateKey.asymmetricKeyType;
  if (type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { privateKey, publicKey: createPublicKey(privateKey), algorithm: 'ES256' };
  if (type === 'rsa') return { privateKey, publicKey: createPublicKey(privateKey), algorithm: 'RS256' };
  throw new Error(`${source} must be an RSA or EC P-256 private key.`);
}
