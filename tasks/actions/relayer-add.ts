export { add as default } from "./relayer.ts";
