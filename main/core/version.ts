/** Recorded in every case and report; bump with package.json. */
export const KESTREL_VERSION = '0.1.0';
