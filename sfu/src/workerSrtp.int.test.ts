/**
 * The worker's SRTP runs on OpenSSL, not NSS (issue 9): Debian's shared
 * libsrtp2 is built against NSS, which cost ~24 % of the worker's time when
 * forwarding SRTP; sfu/scripts/build-worker.sh links libsrtp 2.5 built with
 * its OpenSSL backend statically instead (variant openssl-srtp). This test
 * reads the worker binary that mediasoup starts (the installed one, or
 * MEDIASOUP_WORKER_BIN): a worker linked to Debian's libsrtp2 again — the
 * debian-srtp variant or a changed build — fails it.
 */
import { execFileSync } from 'node:child_process';
import { workerBin } from 'mediasoup';
import { describe, expect, it } from 'vitest';

const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

describe('the mediasoup worker binary', () => {
  it('links no libsrtp2 or NSS shared library', () => {
    const needed = [...run('readelf', ['-d', workerBin]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(needed).toContain('libcrypto.so.3');
    expect(needed.filter((lib) => /srtp|nss/i.test(lib ?? ''))).toEqual([]);
  });

  it("carries libsrtp with its OpenSSL ciphers (AES-ICM, AES-GCM) calling OpenSSL's EVP", () => {
    const symbols = run('nm', [workerBin]);
    // libsrtp itself is inside the binary (defined symbols), with the cipher types it registers.
    expect(symbols).toMatch(/^[0-9a-f]+ T srtp_protect$/m);
    for (const cipher of ['srtp_aes_icm_128', 'srtp_aes_gcm_256']) expect(symbols).toMatch(new RegExp(`^[0-9a-f]+ D ${cipher}$`, 'm'));
    // The functions of its OpenSSL backend (crypto/cipher/aes_*_ossl.c), calling OpenSSL's EVP API.
    expect(symbols).toMatch(/ srtp_aes_gcm_openssl_/);
    expect(symbols).toMatch(/ srtp_aes_icm_openssl_/);
    expect(symbols).toMatch(/ U EVP_aes_256_gcm@/);
    expect(symbols).toMatch(/ U EVP_aes_128_ctr@/);
  });
});
