/** The version of panda-k8s, as package.json states it (kept in step by test/unit/cli.test.ts). */
export const VERSION = '0.1.0';
