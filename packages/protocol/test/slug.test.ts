import { describe, expect, it } from '@jest/globals';
import { SlugSchema, isValidSlug, slugKey, slugProblem } from '../src/slug.js';

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

describe('slug limits and messages', () => {
  it('accepts 200 characters and refuses 201', () => {
    expect(slugProblem('x'.repeat(200))).toBeUndefined();
    expect(slugProblem(`${'a'.repeat(100)}/${'b'.repeat(99)}`)).toBeUndefined();
    expect(slugProblem('x'.repeat(201))).toBe('must be at most 200 characters');
  });

  it('gives each reason in full', () => {
    expect(slugProblem('')).toBe('must not be empty');
    expect(slugProblem('a/b/c')).toBe('must be "owner/repo" or "name" (at most one "/")');
    expect(slugProblem('a/')).toBe('must not have an empty owner or name');
    expect(slugProblem('a/b..c')).toBe('must not contain ".."');
    expect(slugProblem('a/.b')).toBe('must not start a segment with "."');
    expect(slugProblem('-a')).toBe('may contain only letters, digits, ".", "_" and "-"');
    expect(slugProblem('a/b c')).toBe('may contain only letters, digits, ".", "_" and "-"');
    expect(slugProblem('9a/b-')).toBeUndefined();
  });

  it('puts the slug and the reason in the schema issue', () => {
    const parsed = SlugSchema.safeParse('a/b/c');
    expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)).toEqual(['invalid slug "a/b/c": must be "owner/repo" or "name" (at most one "/")']);
    expect(SlugSchema.safeParse('acme/alpha')).toEqual({ success: true, data: 'acme/alpha' });
    expect(isValidSlug('a/b/c')).toBe(false);
  });
});
