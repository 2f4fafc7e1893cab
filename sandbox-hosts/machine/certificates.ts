// Certificate authorities and the certificates they issue: the machine's (for the Docker Hub
// stand-in) and one per session (for its daemons' TLS, `docker -H tcp://hostN:2376 --tlsverify`).
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

export interface CertificateSubject {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** A client certificate (clientAuth) rather than a server one (serverAuth). */
  client?: boolean;
}

export interface CertificateAuthority extends Certificate {
  issue(subject: CertificateSubject): Promise<Certificate>;
}

const keyOptions = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Loads the machine's authority, creating it on first use. */
export async function loadCertificateAuthority(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR'>): Promise<CertificateAuthority> {
  const { dir, cert, key } = certificateAuthorityFiles(config);
  if (!existsSync(cert) || !existsSync(key)) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const made = await createCertificateAuthority('Doca sandbox CA');
    await writeFile(key, made.key, { mode: 0o600 });
    await writeFile(cert, made.cert);
  }
  return authority({ cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') });
}

/** A new authority that lives only in memory, e.g. for one session. */
export async function createCertificateAuthority(commonName: string): Promise<CertificateAuthority> {
  return withWorkDir(async (work) => {
    await check('openssl', ['req', '-x509', ...keyOptions, '-days', '3650', '-subj', `/CN=${commonName}`,
      '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')]);
    return authority({ cert: await readFile(join(work, 'cert.pem'), 'utf8'), key: await readFile(join(work, 'key.pem'), 'utf8') });
  });
}

function authority(pair: Certificate): CertificateAuthority {
  return { ...pair, issue: (subject) => issueCertificate(pair, subject) };
}

async function issueCertificate(ca: Certificate, subject: CertificateSubject): Promise<Certificate> {
  return withWorkDir(async (work) => {
    const names = [...(subject.dnsNames ?? []).map((name) => `DNS:${name}`), ...(subject.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
    const extensions = [
      'basicConstraints=CA:FALSE',
      `extendedKeyUsage=${subject.client ? 'clientAuth' : 'serverAuth'}`,
      ...(names.length ? [`subjectAltName=${names.join(',')}`] : []),
    ];
    const file = (name: string) => join(work, name);
    await writeFile(file('ext.cnf'), extensions.join('\n') + '\n');
    await writeFile(file('ca.pem'), ca.cert);
    await writeFile(file('ca-key.pem'), ca.key, { mode: 0o600 });
    await check('openssl', ['req', '-new', ...keyOptions, '-subj', `/CN=${subject.commonName}`, '-keyout', file('key.pem'), '-out', file('req.pem')]);
    // A random serial: issuing never shares a serial file, so certificates can be made in parallel.
    await check('openssl', ['x509', '-req', '-in', file('req.pem'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '30', '-extfile', file('ext.cnf'), '-out', file('cert.pem')]);
    return { cert: await readFile(file('cert.pem'), 'utf8'), key: await readFile(file('key.pem'), 'utf8') };
  });
}

async function withWorkDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'doca-cert-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
