// The global `SSL { certificate key password ca }` block: its files read, and tried the way
// keepalived's checker process loads them into its context when an SSL_GET checker exists. There
// a file that cannot be read or used stops the checker process at start (KEEPALIVED_EXIT_FATAL);
// lvsd finds it while loading the config and names the keyword's file:line:col instead.
import { X509Certificate, createPrivateKey } from 'node:crypto';

export interface SslFiles {
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  ca?: Buffer;
}

export interface SslProblem {
  /** the keyword the problem is reported at */
  field: 'certificate' | 'key' | 'password' | 'ca';
  message: string;
}

const FILES = [['certificate', 'cert', 'certificate'], ['key', 'key', 'key'], ['ca', 'ca', 'CA']] as const;

const errText = (e: unknown): string => (e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e));

/** The block's files, read with `read`; a file that cannot be read is a problem and left out. */
export function readSslBlock(ssl: Readonly<Record<string, unknown>> | undefined, read: (path: string) => Buffer): { files: SslFiles; problems: SslProblem[] } {
  const files: SslFiles = {};
  const problems: SslProblem[] = [];
  for (const [field, slot, what] of FILES) {
    const path = ssl?.[field];
    if (typeof path !== 'string') continue;
    try {
      files[slot] = read(path);
    } catch (e) {
      problems.push({ field, message: `SSL error: cannot read the ${what} file ${path} (${errText(e)})` });
    }
  }
  if (typeof ssl?.password === 'string') files.passphrase = ssl.password;
  return { files, problems };
}

/** What keeps the files from making a TLS context: not PEM, a key the password does not open, a key of another certificate. */
export function sslFileProblems(ssl: Readonly<Record<string, unknown>>, files: SslFiles): SslProblem[] {
  const problems: SslProblem[] = [];
  const certificate = (b: Buffer): X509Certificate | undefined => {
    try {
      return new X509Certificate(b);
    } catch {
      return undefined;
    }
  };
  const cert = files.cert && certificate(files.cert);
  if (files.cert && !cert) problems.push({ field: 'certificate', message: `SSL error: the certificate file ${String(ssl.certificate)} holds no PEM certificate` });
  if (files.ca && !certificate(files.ca)) problems.push({ field: 'ca', message: `SSL error: the CA file ${String(ssl.ca)} holds no PEM certificate` });
  if (files.key) {
    const path = String(ssl.key);
    const encrypted = files.key.includes('ENCRYPTED');
    try {
      // a passphrase is handed over even when absent (''), so that an encrypted key never waits for a prompt
      const key = createPrivateKey({ key: files.key, format: 'pem', passphrase: files.passphrase ?? '' });
      if (cert && !cert.checkPrivateKey(key)) problems.push({ field: 'key', message: `SSL error: the key file ${path} is not the key of the certificate ${String(ssl.certificate)}` });
    } catch {
      if (!encrypted) problems.push({ field: 'key', message: `SSL error: the key file ${path} holds no PEM private key` });
      else if (files.passphrase === undefined) problems.push({ field: 'key', message: `SSL error: the key file ${path} is encrypted and the SSL block has no password` });
      else problems.push({ field: 'password', message: `SSL error: the password does not open the key file ${path}` });
    }
  }
  return problems;
}
