/** `@identity/access`: roles, permissions (`resource:action`) and who holds them. */
export { AccessModule, ACCESS_ENTITIES } from './access.module';
export { AccessService, DEFAULT_ROLE } from './access.service';
