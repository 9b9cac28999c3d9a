export { repoFilesFromDir, startTestHub } from "./hub-server.js";
export type { RecordedRequest, TestHub, TestHubOptions, TestRepo } from "./hub-server.js";
