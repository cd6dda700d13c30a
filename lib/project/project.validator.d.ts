import type { ValidateFunction } from "ajv";
/** Generated into dist/ by scripts/build-validators.mjs from schemas/project.schema.json. */
declare const validate: ValidateFunction;
export default validate;
