/** The generator version written into every agent's tracking comment. */
export const GENERATOR_VERSION = '0.1.0';
