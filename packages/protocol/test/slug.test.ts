import { describe, expect, it } from '@jest/globals';
import { SlugSchema, isValidSlug, slugKey, slugProblem } from '@repovisor/protocol';

describe('slugs', () => {
  it('accepts owner/repo and name made of letters, digits, dot, underscore and dash', () => {
    for (const slug of ['acme/alpha', 'alpha', 'Acme_1/alpha.js', 'a-b/c_d.e', '_x/y']) expect(isValidSlug(slug)).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['a/b/c', /at most one/],
    ['/alpha', /empty owner/],
    ['acme/', /empty owner or name/],
    ['acme/..', /\.\./],
    ['..', /\.\./],
    ['a..b', /\.\./],
    ['.hidden', /start a segment/],
    ['acme/.git', /start a segment/],
    ['acme alpha', /only letters/],
    ['acme/al\npha', /only letters/],
    ['acme\\alpha', /only letters/],
    ['x'.repeat(201), /200/],
  ])('refuses %j with the reason', (slug, reason) => {
    expect(slugProblem(slug)).toMatch(reason);
    expect(SlugSchema.safeParse(slug).success).toBe(false);
  });

  it('makes owner/repo path-safe as owner-repo', () => {
    expect(slugKey('acme/alpha')).toBe('acme-alpha');
    expect(slugKey('alpha')).toBe('alpha');
  });
});
