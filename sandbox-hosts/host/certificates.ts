// The machine's certificate authority and the certificates it issues: the Docker Hub stand-in's
// server certificate, and each sandbox daemon's TLS certificates for `docker -H tcp://hostN:2376`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../system/shell.ts';
import { certificateAuthorityFiles, type HostMachineConfig } from './config.ts';

export interface Certificate {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends Certificate {
  issue(subject: { commonName: string; dnsNames?: string[]; ipAddresses?: string[]; client?: boolean }): Promise<Certificate>;
}

/** Loads the machine's authority, creating it on first use. */
export async function loadCertificateAuthority(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR'>): Promise<CertificateAuthority> {
  const { dir, cert: certFile, key: keyFile } = certificateAuthorityFiles(config);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    await check('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
      '-subj', '/CN=Doca sandbox CA', '-keyout', keyFile, '-out', certFile]);
  }
  const authority = { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  return {
    ...authority,
    issue: (subject) => issueCertificate(certFile, keyFile, subject),
  };
}

async function issueCertificate(
  caCert: string,
  caKey: string,
  subject: { commonName: string; dnsNames?: string[]; ipAddresses?: string[]; client?: boolean },
): Promise<Certificate> {
  const work = await mkdtemp(join(tmpdir(), 'doca-cert-'));
  try {
    const names = [...(subject.dnsNames ?? []).map((name) => `DNS:${name}`), ...(subject.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
    const extensions = [
      'basicConstraints=CA:FALSE',
      `extendedKeyUsage=${subject.client ? 'clientAuth' : 'serverAuth'}`,
      ...(names.length ? [`subjectAltName=${names.join(',')}`] : []),
    ];
    await writeFile(join(work, 'ext.cnf'), extensions.join('\n') + '\n');
    await check('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', `/CN=${subject.commonName}`, '-keyout', join(work, 'key.pem'), '-out', join(work, 'req.pem')]);
    await check('openssl', ['x509', '-req', '-in', join(work, 'req.pem'), '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', '30', '-extfile', join(work, 'ext.cnf'), '-out', join(work, 'cert.pem')]);
    return { cert: await readFile(join(work, 'cert.pem'), 'utf8'), key: await readFile(join(work, 'key.pem'), 'utf8') };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
