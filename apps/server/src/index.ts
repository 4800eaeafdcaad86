export { createServer } from './app.js';
export { startServer, type RunningServer } from './start.js';
export { checkListenOptions, isLoopbackHost, DEFAULT_BODY_LIMIT, type ServerOptions } from './options.js';
export { AUTH_CHALLENGES, requestAuthorizer, type AuthRequest, type AuthVerdict, type Role } from './auth.js';
export type { ErrorBody, ErrorLogger } from './errors.js';
