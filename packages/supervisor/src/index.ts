/**
 * The supervisor package. Its CLI, repo manager, launcher and HTTP API arrive
 * with the supervisor issue; for now it exposes only its version.
 */
export const SUPERVISOR_VERSION = '0.1.0';
