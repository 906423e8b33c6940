import { stackNames, type Affix, type Names } from '../core/names.js';
import type { FileSet } from '../core/files.js';

/** Components whose hosts and URLs the Secrets carry. */
export const SECRETS_PEERS = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'] as const;
export type SecretsPeer = (typeof SECRETS_PEERS)[number];

/** Names of the components the Secrets point at, for one affix. */
export function secretsStack(affix: Affix): Record<SecretsPeer, Names> {
  return stackNames(affix, SECRETS_PEERS);
}

/** Inputs of the secrets render besides its values: pure data, read by the loader. */
export interface SecretsContext {
  affix: Affix;
  /** Prefix of every Secret name (`global.secret`, default `panda-secrets`). */
  prefix: string;
  /** Names of every component of the stack, for the hosts and URLs the Secrets carry. */
  stack: Record<SecretsPeer, Names>;
  /**
   * Files of the secrets files directory, by folder: `panda_certs`, `harvester_certs`,
   * `idds_certs`, `iam_conf` (upstream's `secrets/files/` layout); a missing folder is an empty
   * set. Keys are base names, or paths relative to the folder with `/` separators: the render keys
   * Secret entries by base name, takes only `*.pem` from the certificate folders (found in
   * subfolders too) and only top-level files from `iam_conf`.
   */
  files(folder: string): FileSet;
  /** The IAM token-signing key (JWKS JSON) when `iam_conf/iam-keystore.jwks` is not supplied. */
  iamKeystore: string;
}
