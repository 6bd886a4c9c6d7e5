export { remove as default } from "./relayer.ts";
