// All served definitions in one map, keyed by OpenAPI name.
import type { Definitions, ObjectSchema } from "../schema.ts";
import { coreDefs } from "./core.ts";
import { groupDefs } from "./groups.ts";
import { metaDefs } from "./meta.ts";
import { podDefs } from "./pod.ts";
import { accessDefs } from "./access.ts";
import { workloadDefs } from "./workloads.ts";

export const definitions: Definitions = new Map<string, ObjectSchema>(
  Object.entries({ ...metaDefs, ...coreDefs, ...podDefs, ...groupDefs, ...workloadDefs, ...accessDefs }),
);
