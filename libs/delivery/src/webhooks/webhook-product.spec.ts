import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_PRODUCT } from './webhook-product';

describe('WEBHOOK_PRODUCT', () => {
  it('names the release in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(WEBHOOK_PRODUCT.version).toBe(pkg.version);
  });
});
