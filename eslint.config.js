import { baseConfig } from "@warmstart/eslint-config";

export default baseConfig;
