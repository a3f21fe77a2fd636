import { describe, expect, it } from '@jest/globals';
import { deferExtraCaCerts } from '../src/extra-ca-certs.js';

describe('deferExtraCaCerts', () => {
  it('moves NODE_EXTRA_CA_CERTS to REPOVISOR_NODE_EXTRA_CA_CERTS and keeps everything else', () => {
    const env = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem', REPOVISOR_SLUG: 'acme/alpha' };
    expect(deferExtraCaCerts(env)).toEqual({ PATH: '/usr/bin', REPOVISOR_NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem', REPOVISOR_SLUG: 'acme/alpha' });
    // The input is left as it was.
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/extra.pem');
  });

  it('leaves an environment without NODE_EXTRA_CA_CERTS as it is', () => {
    const env = { PATH: '/usr/bin' };
    expect(deferExtraCaCerts(env)).toEqual({ PATH: '/usr/bin' });
  });
});
