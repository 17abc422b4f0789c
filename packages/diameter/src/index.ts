export * from './codec.js';
export * from './dictionary.js';
export * from './values.js';
export * from './connection.js';
