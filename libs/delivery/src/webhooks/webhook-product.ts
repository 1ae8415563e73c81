import type { OcsfProduct } from './ocsf';

/**
 * This platform as OCSF bodies name it (`metadata.product`). `version` is the release in
 * package.json (a unit test keeps the two equal).
 */
export const WEBHOOK_PRODUCT: OcsfProduct = {
  name: 'Identity Platform',
  vendorName: 'Identity Platform',
  version: '0.1.0',
};
