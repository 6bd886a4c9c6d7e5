#!/usr/bin/env node
// The relay runs from its TypeScript sources (as every workspace package does): tsx compiles on load.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
