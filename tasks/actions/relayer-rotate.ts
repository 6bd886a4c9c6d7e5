export { rotate as default } from "./relayer.ts";
