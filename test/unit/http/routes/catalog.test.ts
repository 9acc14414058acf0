import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../../src/config.js';
import { createApp } from '../../../../src/http/create-app.js';
import { silentLogger } from '../../../../src/infra/logger.js';
import { testCore } from '../../../support/fixtures.js';

let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  app = createApp(readConfig({}), { core: await testCore(), logger: silentLogger });
});

describe('GET /api/catalog', () => {
  it('when the form asks which financial notice a payer needs, then a never-covering payer offers the ABN and an investigational one the waiver', async () => {
    const res = await request(app).get('/api/catalog');
    expect(res.status).toBe(200);
    const notices = Object.fromEntries((res.body as { payers: { id: string; notices: unknown }[] }).payers.map((p) => [p.id, p.notices]));
    expect(notices).toMatchObject({
      medicare: { abn: true, waiver: false },
      'commercial-investigational': { abn: false, waiver: true },
      'commercial-covered': { abn: false, waiver: false },
      'wa-lni': { abn: false, waiver: false },
    });
  });
});
