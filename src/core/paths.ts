/** Locations inside the installed package. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root (this file is at src/core/ or dist/core/; the bundle sits at dist/bundle/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILTIN_EXPERIMENTS = path.join(PACKAGE_ROOT, 'experiments');
export const componentSandboxDir = (component: string) => path.join(PACKAGE_ROOT, 'src', 'components', component, 'sandbox');
export const BUILTIN_SECRETS_FILES = path.join(PACKAGE_ROOT, 'src', 'secrets', 'files');
