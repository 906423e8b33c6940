import type { Affix, Names, StackComponent } from '../core/names.js';
import type { FileSet } from '../components/types.js';

/** Inputs of the secrets render besides its values: pure data, read by the loader. */
export interface SecretsContext {
  affix: Affix;
  /** Prefix of every Secret name (`global.secret`, default `panda-secrets`). */
  prefix: string;
  /** Names of every component of the stack, for the hosts and URLs the Secrets carry. */
  stack: Record<StackComponent, Names>;
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
