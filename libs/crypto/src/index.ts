export { SecretBox } from './secret-box';
export { randomToken, hashToken, safeEqual, hmac, deriveKey } from './tokens';
export { canonicalIp, clientIpHasher } from './client-ip';
