// The Parigot SDK for AssemblyScript: import { ... } from "parigot". See sdk/as/README.md;
// the raw ABI binding is "parigot/abi".
export * from "./runtime";
export * from "./wire";
