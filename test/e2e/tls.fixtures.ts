/**
 * Certificates for the TLS suites, made with the `openssl` CLI in a temporary directory: a CA
 * and leaf certificates signed by it (EC P-256, valid one day).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NEW_EC_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));

  /** Runs `openssl` with a space-separated argument line (no argument contains a space). */
  private openssl(line: string): void {
    execFileSync('openssl', line.split(' '), { cwd: this.dir, stdio: 'pipe' });
  }

  ca(name: string): void {
    this.openssl(
      `req -x509 ${NEW_EC_KEY} -keyout ${name}.key -out ${name}.crt -days 1 -subj /CN=${name}`,
    );
  }

  /** A leaf `<name>.crt`/`<name>.key` with CN `cn` (default `name`) and the given SANs. */
  leaf(name: string, ca: string, san: string, cn = name): void {
    writeFileSync(join(this.dir, `${name}.ext`), `subjectAltName=${san}\n`);
    this.openssl(`req ${NEW_EC_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=${cn}`);
    this.openssl(
      `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -CAcreateserial ` +
        `-out ${name}.crt -days 1 -extfile ${name}.ext`,
    );
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  read(file: string): Buffer {
    return readFileSync(this.path(file));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
