import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import { ACCESS_ENTITIES, AccessModule } from './access.module';
import { AccessService } from './access.service';

describe('AccessService', () => {
  let db: TestDatabase;
  let close: () => Promise<void>;
  let access: AccessService;
  let database: Database;

  beforeAll(async () => {
    db = await createTestDatabase('access');
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(
          loadConfig({ DATABASE_URL: db.url, DATABASE_MIGRATIONS_RUN: 'false' }),
        ),
        DatabaseModule.forRoot({ entities: ACCESS_ENTITIES, migrations: [] }),
        AccessModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    access = app.get(AccessService);
    database = app.get(Database);
    close = () => app.close();
  });
  afterAll(async () => {
    await close();
    await db.drop();
  });

  const newUser = async (): Promise<string> => {
    const [row] = await database.manager.query<{ id: string }[]>(
      `INSERT INTO users (email, email_normalized) VALUES ($1, $1) RETURNING id`,
      [`u${Math.random()}@example.test`],
    );
    return row!.id;
  };

  it('resolves roles and the union of their permissions', async () => {
    const id = await newUser();
    await access.grantDefaultRole(id);
    expect(await access.grantsOf(id)).toEqual({ roles: ['user'], permissions: [] });
    await access.grantRole(id, 'admin');
    await access.grantRole(id, 'admin');
    expect(await access.grantsOf(id)).toEqual({
      roles: ['admin', 'user'],
      permissions: ['identity:admin'],
    });
  });

  it('knows nothing of a user without roles', async () => {
    expect(await access.grantsOf(await newUser())).toEqual({ roles: [], permissions: [] });
  });

  it('refuses an unknown role', async () => {
    await expect(access.grantRole(await newUser(), 'no-such-role')).rejects.toThrow(
      /fk_user_roles_role/,
    );
  });
});
