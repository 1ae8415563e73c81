export { SecretBox } from './secret-box';
export {
  randomToken,
  hashToken,
  safeEqual,
  hmac,
  deriveKey,
  MAX_PRESENTED_TOKEN_LENGTH,
} from './tokens';
export { canonicalIp, clientIpHasher } from './client-ip';
