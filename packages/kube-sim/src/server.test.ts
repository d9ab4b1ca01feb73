import { describe, expect, it } from "vitest";
import { negotiate } from "./server.ts";

describe("content negotiation", () => {
  // [Accept header, what the server produces]
  const cases: [string | undefined, unknown][] = [
    [undefined, { form: "json" }],
    ["application/json", { form: "json" }],
    ["*/*", { form: "json" }],
    ["application/vnd.kubernetes.protobuf, application/json", { form: "json" }],
    ["application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", { form: "table", version: "v1" }],
    ["application/json;as=Table;v=v1beta1;g=meta.k8s.io", { form: "table", version: "v1beta1" }],
    ["application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", { form: "aggregated", version: "v2" }],
    ["application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json", { form: "json" }],
    ["application/vnd.kubernetes.protobuf", undefined],
    ["application/yaml", undefined],
  ];
  it.each(cases)("%s", (accept, want) => expect(negotiate(accept)).toEqual(want));
});
