import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A named bundle of permissions (`roles`). `user` and `admin` are built in. */
@Entity({ name: 'roles' })
export class RoleEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ name: 'built_in', type: 'boolean', default: false })
  builtIn!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A `resource:action` permission string (`permissions`). */
@Entity({ name: 'permissions' })
export class PermissionEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Role → permission (`role_permissions`). */
@Entity({ name: 'role_permissions' })
export class RolePermissionEntity {
  @PrimaryColumn({ name: 'role_name', type: 'text' })
  roleName!: string;

  @PrimaryColumn({ name: 'permission_name', type: 'text' })
  permissionName!: string;
}

/** User → role (`user_roles`). */
@Entity({ name: 'user_roles' })
export class UserRoleEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'role_name', type: 'text' })
  roleName!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
