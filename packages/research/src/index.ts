// STUB: owned by the research helper.
export {};
