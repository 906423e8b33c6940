import { describe, expect, it } from 'vitest';
import { fullname, nameIssues, releaseName, resolveAffix, stackNames } from '../../src/core/names.js';

describe('names', () => {
  it('release names from prefix and suffix affixes', () => {
    expect(releaseName(resolveAffix('test-', undefined), 'panda')).toBe('test-panda');
    expect(releaseName(resolveAffix('-dev', undefined), 'panda')).toBe('panda-dev');
  });
  it('collapses only on whole words, keeping upstream names for ordinary affixes (B14)', () => {
    expect(fullname('test-harvester', 'harvester')).toBe('test-harvester');
    expect(fullname('test-panda', 'server')).toBe('test-panda-server');
    expect(fullname('iam-domain', 'main')).toBe('iam-domain-main');
    expect(fullname('idds-forest', 'rest')).toBe('idds-forest-rest');
    expect(fullname('x', 'y', 'override')).toBe('override');
  });
  it('cross-references use the same function as objects', () => {
    const s = stackNames(resolveAffix('-forest', undefined), ['idds', 'bigmon']);
    expect(s.idds.sub('rest')).toBe('idds-forest-rest');
    expect(s.bigmon.sub('main')).toBe('bigmon-forest-main');
    expect(s.idds.of('bigmon').sub('main')).toBe('bigmon-forest-main');
    expect(s.idds.part('rest').configMap('envs')).toBe('idds-forest-rest-envs');
  });
  it('DNS checks by kind', () => {
    expect(nameIssues('Service', 'a'.repeat(63))).toEqual([]);
    expect(nameIssues('Service', 'a'.repeat(64))[0]!.message).toMatch(/at most 63/);
    expect(nameIssues('ConfigMap', 'a'.repeat(64))).toEqual([]);
    expect(nameIssues('ConfigMap', 'Upper')[0]!.message).toMatch(/not a valid DNS/);
  });
});
