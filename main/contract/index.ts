export * from './ids.js';
export * from './errors.js';
export * from './mediaErrors.js';
export * from './dto.js';
export * from './annotations.js';
export * from './api.js';
export * from './wire.js';
export * from './securityPolicy.js';
