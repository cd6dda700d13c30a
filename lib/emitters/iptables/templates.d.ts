/** Precompiled from templates/iptables/ by scripts/build-templates.mjs. */
declare const templates: Record<string, unknown>;
export default templates;
