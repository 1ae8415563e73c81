import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@identity/config';
import { BreachedPasswordChecker, PasswordHasher, PasswordPolicy, PasswordsModule } from './index';

describe('PasswordsModule', () => {
  it('wires its providers from the global config and boots (dummy hash, common list)', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PasswordsModule],
    }).compile();
    await moduleRef.init();

    const hasher = moduleRef.get(PasswordHasher);
    const policy = moduleRef.get(PasswordPolicy);
    expect(moduleRef.get(BreachedPasswordChecker)).toBeInstanceOf(BreachedPasswordChecker);

    const password = 'violet-harbour-tractor-91';
    await expect(policy.check(password)).resolves.toEqual([]);
    const stored = await hasher.hash(password);
    await expect(hasher.verify({ ...stored, password })).resolves.toEqual({
      valid: true,
      needsRehash: false,
    });
    await moduleRef.close();
  });
});
