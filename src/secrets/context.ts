import { stackNames, type Affix, type Names } from '../core/names.js';
import type { FileSet } from '../core/files.js';

/** Components whose hosts and URLs the Secrets carry (upstream HEAD's `iam-db` and `ui` included). */
export const SECRETS_PEERS = ['msgsvc', 'iam', 'iam-db', 'panda', 'harvester', 'idds', 'bigmon', 'ui'] as const;
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
   * Files of the secrets files directory, by folder (upstream's `secrets/files/` layout:
   * `panda_certs`, `iam_conf`, `harvester_auth`, ...); a missing folder is an empty set. Keys are
   * paths relative to the folder with `/` separators: the render keys Secret entries by base name,
   * takes `*.pem` (and `*.proxy`) from the certificate folders, in subfolders too, and only
   * top-level files from the configuration folders.
   */
  files(folder: string): FileSet;
  /** The IAM token-signing key (JWKS JSON) when `iam_conf/iam-keystore.jwks` is not supplied or is upstream's published key. */
  iamKeystore: string;
}
