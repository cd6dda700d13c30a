/** Precompiled from templates/azure-firewall/ by scripts/build-templates.mjs. */
declare const templates: Record<string, unknown>;
export default templates;
