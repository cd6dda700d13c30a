/** Precompiled from templates/nftables/ by scripts/build-templates.mjs. */
declare const templates: Record<string, unknown>;
export default templates;
