import { Injectable } from '@nestjs/common';
import {
  PasswordHasher,
  type PasswordHash,
  type PasswordVerification,
  type PasswordVerificationInput,
} from '@identity/passwords';

/**
 * The real hasher (real argon2 work), counting its calls, so tests can prove that two paths
 * did the same hashing work without mocking it away.
 */
@Injectable()
export class CountingPasswordHasher extends PasswordHasher {
  readonly calls = { hash: 0, verify: 0, verifyDummy: 0 };

  override hash(password: string): Promise<PasswordHash> {
    this.calls.hash++;
    return super.hash(password);
  }

  override verify(input: PasswordVerificationInput): Promise<PasswordVerification> {
    this.calls.verify++;
    return super.verify(input);
  }

  override verifyDummy(password: string): Promise<void> {
    this.calls.verifyDummy++;
    return super.verifyDummy(password);
  }

  reset(): void {
    this.calls.hash = 0;
    this.calls.verify = 0;
    this.calls.verifyDummy = 0;
  }
}
