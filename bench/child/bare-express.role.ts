import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ChildFactory } from './main';

/** The shape and size of a `GET /auth/me` answer. */
const PROFILE = {
  id: '0b9d8a2e-5f7c-4c1e-9a63-2f4d1c8e7b10',
  email: 'bench-user-1@bench.example',
  name: null,
  email_verified: true,
  mfa_enabled: false,
  roles: ['user'],
  permissions: ['profile:read', 'profile:write', 'sessions:read', 'sessions:revoke'],
  created_at: '2025-01-01T00:00:00.000Z',
};

/** Ceiling of `me`: express answering one JSON object, no middleware, no auth, no database. */
export const startBareExpress: ChildFactory = async () => {
  const app = express();
  app.disable('x-powered-by');
  app.get('/me', (_req, res) => {
    res.json(PROFILE);
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}` },
    commands: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
