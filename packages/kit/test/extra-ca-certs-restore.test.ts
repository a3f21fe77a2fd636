import { describe, expect, it } from '@jest/globals';
import { restoreExtraCaCerts } from '../src/extra-ca-certs.js';

describe('restoreExtraCaCerts', () => {
  it('puts the deferred NODE_EXTRA_CA_CERTS back and removes the deferred name', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin', REPOVISOR_NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem' };
    restoreExtraCaCerts(env);
    expect(env).toEqual({ PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem' });
  });

  it('keeps a NODE_EXTRA_CA_CERTS the worker was started with', () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/own.pem', REPOVISOR_NODE_EXTRA_CA_CERTS: '/deferred.pem' };
    restoreExtraCaCerts(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/own.pem' });
  });

  it('changes nothing when nothing was deferred', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    restoreExtraCaCerts(env);
    expect(env).toEqual({ PATH: '/usr/bin' });
  });
});
