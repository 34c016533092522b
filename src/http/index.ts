export { type ApiServer, type ApiServerOptions, BODY_LIMIT_BYTES, buildApiServer, DEFAULT_HOST, DEFAULT_PORT } from './server.js';
export { ApiError, BadRequestError, ConflictError, type ErrorBody, NotFoundError } from './errors.js';
export { isLoopbackHost, resolveToken, type TokenSource, TOKEN_COOKIE, TOKEN_FILE } from './auth.js';
