/**
 * The I/O edge of sops decryption: where the operator's keys are, found as sops finds them
 * (sops' age/keysource.go and pgp/keysource.go), and gpg. Injected into {@link decryptSops} so
 * that everything else stays pure.
 *
 * age identities come from all of: `SOPS_AGE_KEY` (keys, several per line allowed),
 * `SOPS_AGE_KEY_FILE`, the output of `SOPS_AGE_KEY_CMD`, and the default keys file
 * `$XDG_CONFIG_HOME/sops/age/keys.txt` (`~/.config/sops/age/keys.txt`; on macOS
 * `~/Library/Application Support/sops/age/keys.txt` unless XDG_CONFIG_HOME is set).
 * PGP data keys are decrypted by `gpg --decrypt` (`SOPS_GPG_EXEC` names another binary), which
 * uses the keyring of `GNUPGHOME` and gpg-agent for passphrases.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AgeIdentities {
  /** `AGE-SECRET-KEY-1…` / `AGE-SECRET-KEY-PQ-1…` strings. */
  identities: string[];
  /** Where identities were found. */
  found: string[];
  /** Where we looked and found nothing. */
  looked: string[];
  /** Sources that could not be read (unreadable file, failing command, malformed key), never a key. */
  problems: string[];
}

export interface SopsKeys {
  ageIdentities(): AgeIdentities;
  /** The plaintext of an armored OpenPGP message, decrypted by the operator's gpg. */
  gpgDecrypt(armored: string): Promise<Buffer>;
}

export interface SystemKeysOptions {
  env?: NodeJS.ProcessEnv;
  /** How long gpg may take, passphrase prompt included. @default 60000 */
  gpgTimeoutMs?: number;
  /** How long SOPS_AGE_KEY_CMD may take. @default 30000 */
  keyCmdTimeoutMs?: number;
}

/** The default age keys file, as sops computes it. */
export function defaultAgeKeysFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  let dir: string;
  if (xdg) dir = xdg;
  else if (platform === 'darwin') dir = path.join(home, 'Library', 'Application Support');
  else if (platform === 'win32') dir = env.AppData ?? path.join(home, 'AppData', 'Roaming');
  else dir = path.join(home, '.config');
  return path.join(dir, 'sops', 'age', 'keys.txt');
}

/** sops' parseIdentities: one key per line (or several, for SOPS_AGE_KEY); `#` lines are comments. */
export function parseAgeIdentities(text: string, severalPerLine: boolean): { identities: string[]; bad: number; plugins: number } {
  const identities: string[] = [];
  let bad = 0;
  let plugins = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    for (const word of severalPerLine ? line.trim().split(/\s+/) : [line.trim()]) {
      if (/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(word)) identities.push(word);
      else if (word.startsWith('AGE-PLUGIN-')) plugins++;
      else bad++;
    }
  }
  return { identities, bad, plugins };
}

export function systemKeys(o: SystemKeysOptions = {}): SopsKeys {
  const env = o.env ?? process.env;
  let cached: AgeIdentities | undefined;
  return {
    ageIdentities() {
      if (cached) return cached;
      const r: AgeIdentities = { identities: [], found: [], looked: [], problems: [] };
      const add = (where: string, text: string, several: boolean) => {
        const p = parseAgeIdentities(text, several);
        if (p.bad) r.problems.push(`${where}: ${p.bad} line(s) are not age secret keys`);
        if (p.plugins) r.problems.push(`${where}: age plugin identities are not supported`);
        if (p.identities.length) {
          r.identities.push(...p.identities);
          r.found.push(where);
        } else if (!p.bad && !p.plugins) r.looked.push(where);
      };
      if (env.SOPS_AGE_KEY !== undefined) add('SOPS_AGE_KEY', env.SOPS_AGE_KEY, true);
      else r.looked.push('SOPS_AGE_KEY');
      if (env.SOPS_AGE_KEY_FILE !== undefined) {
        try {
          add(`SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}`, fs.readFileSync(env.SOPS_AGE_KEY_FILE, 'utf8'), false);
        } catch (e) {
          r.problems.push(`SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
        }
      } else r.looked.push('SOPS_AGE_KEY_FILE');
      if (env.SOPS_AGE_KEY_CMD) {
        try {
          const text = execFileSync('/bin/sh', ['-c', env.SOPS_AGE_KEY_CMD], { env, encoding: 'utf8', timeout: o.keyCmdTimeoutMs ?? 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
          add('SOPS_AGE_KEY_CMD', text, false);
        } catch {
          r.problems.push('SOPS_AGE_KEY_CMD: the command failed or timed out');
        }
      }
      const file = defaultAgeKeysFile(env);
      try {
        add(file, fs.readFileSync(file, 'utf8'), false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') r.looked.push(file);
        else r.problems.push(`${file}: ${(e as Error).message}`);
      }
      return (cached = r);
    },
    gpgDecrypt(armored) {
      const gpg = env.SOPS_GPG_EXEC || 'gpg';
      return new Promise((resolve, reject) => {
        const child = execFile(gpg, ['--decrypt'], { env, encoding: 'buffer', timeout: o.gpgTimeoutMs ?? 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
          if (!err && stdout.length) return resolve(stdout);
          const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
          const why =
            e?.code === 'ENOENT'
              ? `${gpg} is not installed or not on PATH`
              : e?.killed
                ? `${gpg} did not finish within ${Math.round((o.gpgTimeoutMs ?? 60_000) / 1000)}s (waiting for a passphrase?)`
                : !err
                  ? `${gpg} returned no data`
                  : // gpg's own diagnostics name keys and reasons, never the plaintext
                    stderr.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l && !/^gpg: encrypted with/.test(l)).slice(-2).join('; ') || `${gpg} failed`;
          reject(new Error(why));
        });
        child.stdin?.end(armored);
      });
    },
  };
}
