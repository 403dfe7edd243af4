// X.509 for the webhook's serving certificate: a CA of the process's own and a server certificate
// it signs, in PEM. The API server checks the webhook's certificate against the caBundle of the
// ValidatingWebhookConfiguration, so the CA is what gets registered and the server certificate
// can be renewed under it without touching the registration.
//
// Node's crypto makes and uses keys but cannot build a certificate, so the certificate structure
// comes from pkijs (PKI.js: ASN.1/DER encoding of RFC 5280 structures) while every key is
// generated and every signature made by Node's WebCrypto (OpenSSL): no JavaScript cryptography.
// Keys are ECDSA P-256 with SHA-256 signatures, which Go's crypto/tls (the API server) accepts
// and which take milliseconds to generate.
//
// What the API server (Go crypto/x509) requires of what is made here: the server certificate
// names the host the API server dials in subjectAltName (a service reference dials
// `<service>.<namespace>.svc`, a URL its host; the common name is never consulted); the CA has
// basicConstraints cA=TRUE and keyCertSign; serial numbers are positive and minimally encoded.
import { X509Certificate, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Node's WebCrypto, given to pkijs per call instead of through its global engine. */
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const hashAlgorithm = 'SHA-256';

const oid = {
  commonName: '2.5.4.3',
  organizationalUnit: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** A validity window. */
export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A certificate with its private key, both PEM (the private key as PKCS#8). */
export interface CertificateAndKey extends Validity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** A CA that can sign server certificates. */
export interface Authority extends CertificateAndKey {
  /** The subject's organizational unit: who made it (see ca-bundle.ts). */
  readonly owner: string;
  readonly signingKey: webcrypto.CryptoKey;
}

export interface AuthorityOptions extends Validity {
  readonly commonName: string;
  /** Recorded as the subject's organizational unit, so a bundle can tell whose CA it is. */
  readonly owner: string;
}

export interface ServingOptions extends Validity {
  /** Host names the API server may dial (subjectAltName dNSName). */
  readonly dnsNames: readonly string[];
  /** Addresses the API server may dial (subjectAltName iPAddress). */
  readonly ipAddresses: readonly string[];
}

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

/** Creates a self-signed CA. */
export async function createAuthority(options: AuthorityOptions): Promise<Authority> {
  const keys = await generateKeys();
  const subject = distinguishedName(options.commonName, options.owner);
  const certificate = await buildCertificate({
    subject,
    issuer: subject,
    validity: options,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      extension(oid.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema()),
      // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000_0110, 1 unused bit
      extension(oid.keyUsage, true, new asn1js.BitString({ valueHex: new Uint8Array([0x06]).buffer, unusedBits: 1 })),
    ],
  });
  return {
    certificatePem: certificate,
    privateKeyPem: await exportPrivateKey(keys.privateKey),
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    owner: options.owner,
    signingKey: keys.privateKey,
  };
}

/** Issues a server certificate for `dnsNames` and `ipAddresses`, signed by `authority`. */
export async function issueServingCertificate(authority: Authority, options: ServingOptions): Promise<CertificateAndKey> {
  if (options.dnsNames.length + options.ipAddresses.length === 0) {
    throw new CertificateError('a serving certificate needs at least one DNS name or IP address');
  }
  const keys = await generateKeys();
  const names = [
    ...options.dnsNames.map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...options.ipAddresses.map((value) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(value) }) })),
  ];
  // The issuer name byte for byte as the CA's subject, so chain building matches them.
  const issuer = pkijs.Certificate.fromBER(new X509Certificate(authority.certificatePem).raw).subject;
  const certificate = await buildCertificate({
    subject: distinguishedName(options.dnsNames[0] ?? options.ipAddresses[0] ?? 'webhook'),
    issuer,
    validity: options,
    publicKey: keys.publicKey,
    signingKey: authority.signingKey,
    extensions: [
      extension(oid.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
      // digitalSignature (bit 0): 0b1000_0000, 7 unused bits
      extension(oid.keyUsage, true, new asn1js.BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 })),
      extension(oid.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [oid.serverAuth] }).toSchema()),
      extension(oid.subjectAltName, false, new pkijs.GeneralNames({ names }).toSchema()),
    ],
  });
  return {
    certificatePem: certificate,
    privateKeyPem: await exportPrivateKey(keys.privateKey),
    notBefore: options.notBefore,
    notAfter: options.notAfter,
  };
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

interface CertificateSpec {
  readonly subject: pkijs.RelativeDistinguishedNames;
  readonly issuer: pkijs.RelativeDistinguishedNames;
  readonly validity: Validity;
  readonly publicKey: webcrypto.CryptoKey;
  readonly signingKey: webcrypto.CryptoKey;
  readonly extensions: readonly pkijs.Extension[];
}

async function buildCertificate(spec: CertificateSpec): Promise<string> {
  const certificate = new pkijs.Certificate();
  certificate.version = 2; // v3
  certificate.serialNumber = new asn1js.Integer({ valueHex: serialNumber() });
  certificate.subject = spec.subject;
  certificate.issuer = spec.issuer;
  certificate.notBefore = certificateTime(spec.validity.notBefore);
  certificate.notAfter = certificateTime(spec.validity.notAfter);
  certificate.extensions = [...spec.extensions];
  await certificate.subjectPublicKeyInfo.importKey(spec.publicKey, engine);
  await certificate.sign(spec.signingKey, hashAlgorithm, engine);
  return toPem('CERTIFICATE', certificate.toSchema(true).toBER(false));
}

/**
 * 16 random bytes with the top bit clear (positive) and the first byte non-zero (minimal DER):
 * RFC 5280 §4.1.2.2, and Go rejects negative serials.
 */
function serialNumber(): ArrayBuffer {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.buffer;
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function certificateTime(value: Date): pkijs.Time {
  return new pkijs.Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

/**
 * A Name of one attribute per RDN, OU first. pkijs puts every attribute it is given into a single
 * multi-valued RDN (`OU=… + CN=…`), so the DER is built here and handed to it whole.
 */
function distinguishedName(commonName: string, organizationalUnit?: string): pkijs.RelativeDistinguishedNames {
  const attribute = (type: string, value: string): asn1js.Set =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()] });
  const rdns = [...(organizationalUnit === undefined ? [] : [attribute(oid.organizationalUnit, organizationalUnit)]), attribute(oid.commonName, commonName)];
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function ipBytes(address: string): ArrayBuffer {
  switch (isIP(address)) {
    case 4:
      return new Uint8Array(address.split('.').map(Number)).buffer;
    case 6:
      return ipv6Bytes(address);
    default:
      throw new CertificateError(`${JSON.stringify(address)} is not an IP address`);
  }
}

function ipv6Bytes(address: string): ArrayBuffer {
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups first.
  const withoutV4 = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', tail] = withoutV4.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes.buffer;
}

export function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every CERTIFICATE block of a PEM text, each as its own PEM. Other blocks are skipped. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((block) => `${block}\n`) ?? [];
}

/** The CN of a subject as Node prints it (`OU=…\nCN=…`). */
export function commonNameOf(subject: string): string {
  return attributeOf(subject, 'CN') ?? '';
}

/** One attribute of a subject as Node prints it: one `KEY=value` per line. */
export function attributeOf(subject: string, key: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith(`${key}=`)) return line.slice(key.length + 1);
  }
  return undefined;
}
