/** Context7's current tool names, which the docs server offers too. */
export const RESOLVE_TOOL = 'resolve-library-id';
export const QUERY_TOOL = 'query-docs';
/** Context7's tool before 2.0; clients still meet servers that only have it. */
export const LEGACY_QUERY_TOOL = 'get-library-docs';
