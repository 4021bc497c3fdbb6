export * from './function';
export * from './user';
export * from './validation';
export { loadPermissions, permissionsPath, PASSWORD_SECRET } from './permissions';
export type { Permissions, PermissionStatement } from './permissions';
