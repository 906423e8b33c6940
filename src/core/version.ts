/** The tool's version, as `--version` prints it and release records name it. */
export const VERSION = '0.1.0';
