export * from './database';
export * from './kv';
export * from './ports';
