export * from './database';
export * from './kv';
export * from './ports';
export * from './mail-catcher';
export * from './flows';
export * from './cookies';
export * from './webhook-receiver';
